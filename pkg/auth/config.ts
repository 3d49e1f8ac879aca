import { z } from 'zod';
import { parseEnv } from '../config/index.js';

/** Authentication settings shared by every HTTP service. */
export const authEnv = {
  /** jwt (verify bearer tokens) or none (development only: everything allowed). @default jwt */
  AUTH_MODE: z.enum(['jwt', 'none']).default('jwt'),
  /** JWKS URL for RS256/ES256 tokens (production). @default unset */
  AUTH_JWKS_URL: z.string().url().optional(),
  /** PEM public key (SPKI) for RS256/ES256 tokens, instead of a JWKS URL. @default unset */
  AUTH_PUBLIC_KEY: z.string().optional(),
  /** Shared secret for HS256 tokens (development). At least 32 bytes. @default unset */
  AUTH_HS256_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Required `iss` claim. @default unset (not checked) */
  AUTH_ISSUER: z.string().optional(),
  /** Required `aud` claim. @default unset (not checked) */
  AUTH_AUDIENCE: z.string().optional(),
};

const schema = z
  .object(authEnv)
  .refine((c) => c.AUTH_MODE === 'none' || c.AUTH_JWKS_URL || c.AUTH_PUBLIC_KEY || c.AUTH_HS256_SECRET, {
    message: 'AUTH_MODE=jwt needs one of AUTH_JWKS_URL, AUTH_PUBLIC_KEY or AUTH_HS256_SECRET',
    path: ['AUTH_MODE'],
  });

/** Parsed authentication settings. */
export type AuthConfig = z.infer<typeof schema>;

/** Parses the AUTH_* variables. */
export function parseAuthConfig(env: Record<string, string | undefined>): AuthConfig {
  return parseEnv(schema as unknown as z.ZodObject, env) as AuthConfig;
}
