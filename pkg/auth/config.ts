import { z } from 'zod';
import { parseEnv, positiveInt } from '../config/index.js';

/** A JSON object mapping a group name to the merchants its members may see ("*" for all). */
const groupMerchants = z.string().transform((v, ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object like {"acme-staff":["acme"]}' });
    return z.NEVER;
  }
  const shape = z.record(z.string(), z.array(z.string().min(1)));
  const result = shape.safeParse(parsed);
  if (!result.success) {
    ctx.addIssue({ code: 'custom', message: 'must map group names to arrays of merchant ids' });
    return z.NEVER;
  }
  return new Map(Object.entries(result.data));
});

/** Authentication settings shared by every HTTP service. */
export const authEnv = {
  /** jwt (verify bearer tokens) or none (development only: everything allowed). @default jwt */
  AUTH_MODE: z.enum(['jwt', 'none']).default('jwt'),
  /**
   * JWKS URL of the identity provider (RS256/ES256/PS256/EdDSA tokens). Unset with AUTH_ISSUER set:
   * read from the issuer's /.well-known/openid-configuration. @default unset
   */
  AUTH_JWKS_URL: z.string().url().optional(),
  /** PEM public key (SPKI) for RS256/ES256 tokens, instead of a JWKS URL. @default unset */
  AUTH_PUBLIC_KEY: z.string().optional(),
  /**
   * Shared secret for HS256 tokens (`catcast token`, service-to-service). At least 32 bytes. These
   * are trusted by the secret alone: AUTH_ISSUER/AUTH_AUDIENCE apply to the provider's tokens. @default unset
   */
  AUTH_HS256_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Required `iss` of the provider's tokens (its issuer URL, exactly as in its discovery document). @default unset (not checked) */
  AUTH_ISSUER: z.string().optional(),
  /** Required `aud` of the provider's tokens (the API identifier or client id). @default unset (not checked) */
  AUTH_AUDIENCE: z.string().optional(),
  /** Claim holding the merchant ids a token may see (a string or an array; "*" for all). @default merchants (merchant_id also read) */
  AUTH_MERCHANTS_CLAIM: z.string().min(1).default('merchants'),
  /** Claim holding the caller's groups, for AUTH_GROUP_MERCHANTS. @default groups */
  AUTH_GROUPS_CLAIM: z.string().min(1).default('groups'),
  /** JSON object mapping groups to merchant ids, e.g. {"acme-staff":["acme"],"ops":["*"]}. @default unset (no group mapping) */
  AUTH_GROUP_MERCHANTS: groupMerchants.optional(),
  /** Scopes granted to a provider token that carries no catcast scope (space-separated), e.g. "sales:read forecasts:read". @default unset (none) */
  AUTH_DEFAULT_SCOPES: z.string().optional(),
  /**
   * Secret (at least 32 characters) that seals the UI's sign-in session cookie; every service the UI
   * calls (forecast-api, aggregator) needs the same value to accept the cookie on GET requests. @default unset (no cookie sessions)
   */
  AUTH_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Seconds a fetched JWKS is used before it is fetched again. @default 600 */
  AUTH_JWKS_CACHE_SECONDS: positiveInt(600),
  /** Least seconds between two JWKS fetches caused by tokens with an unknown `kid` (rate limit). @default 30 */
  AUTH_JWKS_COOLDOWN_SECONDS: positiveInt(30),
};

const schema = z
  .object(authEnv)
  .refine(
    (c) =>
      c.AUTH_MODE === 'none' || c.AUTH_JWKS_URL || c.AUTH_PUBLIC_KEY || c.AUTH_HS256_SECRET || c.AUTH_ISSUER,
    {
      message: 'AUTH_MODE=jwt needs one of AUTH_JWKS_URL, AUTH_PUBLIC_KEY, AUTH_HS256_SECRET or AUTH_ISSUER',
      path: ['AUTH_MODE'],
    },
  );

/** Parsed authentication settings. */
export type AuthConfig = z.infer<typeof schema>;

/** Parses the AUTH_* variables. */
export function parseAuthConfig(env: Record<string, string | undefined>): AuthConfig {
  return parseEnv(schema as unknown as z.ZodObject, env) as AuthConfig;
}
