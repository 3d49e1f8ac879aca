import { SignJWT } from 'jose';
import type { Scope } from './auth.js';

/** Options of {@link mintToken}. */
export interface MintOptions {
  readonly secret: string;
  readonly subject?: string;
  readonly scopes: readonly Scope[];
  /** Merchants the token is bound to, or '*' for all. */
  readonly merchants: readonly string[] | '*';
  /** Lifetime, e.g. "12h". @default 12h */
  readonly expiresIn?: string;
}

/** Signs an HS256 development token (used by `make dev` and tests; production uses an IdP). */
export async function mintToken(options: MintOptions): Promise<string> {
  return new SignJWT({
    scope: options.scopes.join(' '),
    merchants: options.merchants === '*' ? ['*'] : [...options.merchants],
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject ?? 'catcast-dev')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h')
    .sign(new TextEncoder().encode(options.secret));
}
