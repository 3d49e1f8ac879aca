import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Name of the cookie that carries a signed-in UI session (HttpOnly: page scripts never see it). */
export const SESSION_COOKIE = 'catcast_session';

/** What a UI session cookie holds: the provider's tokens, sealed so the browser can neither read nor alter them. */
export interface UiSession {
  /** The provider's access token (a JWT the APIs verify like any bearer token). */
  readonly accessToken: string;
  /** Its `exp`, seconds since the epoch. */
  readonly expiresAt: number;
  /** Refresh token, when the provider issued one (silent renewal). */
  readonly refreshToken?: string;
  /** ID token, kept as the hint for the provider's sign-out. */
  readonly idToken?: string;
  /** Who signed in, for the page's header. */
  readonly name: string;
  /** Seconds since the epoch of the sign-in; the session ends UI_SESSION_MAX_AGE_SECONDS later. */
  readonly signedInAt: number;
}

/**
 * Seals and opens values with AES-256-GCM under a key derived from a shared secret, for cookies:
 * authenticated encryption, so a changed byte makes `open` return undefined. Every service that
 * accepts the session cookie needs the same secret.
 */
export class CookieSealer {
  readonly #key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new RangeError('the session secret must be at least 32 characters');
    this.#key = createHash('sha256').update(`catcast-session:${secret}`).digest();
  }

  /** base64url(iv | ciphertext | tag) of the JSON of `value`. */
  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The value sealed in `text`, or undefined when it was not sealed with this secret or was altered. */
  open<T>(text: string): T | undefined {
    try {
      const raw = Buffer.from(text, 'base64url');
      if (raw.length < 12 + 16 + 1) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }
}

/** The value of cookie `name` in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
