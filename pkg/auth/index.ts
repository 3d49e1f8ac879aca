export {
  createAuthenticator,
  discover,
  principalFrom,
  type DiscoveryDocument,
  type ClaimMapping,
  type AuthenticatorOptions,
  requireScope,
  assertMerchantAccess,
  principalOf,
  SCOPES,
  type Scope,
  type Principal,
  type Authenticator,
  type AuthVariables,
} from './auth.js';
export { authEnv, parseAuthConfig, type AuthConfig } from './config.js';
export { mintToken, type MintOptions } from './mint.js';
export { createRateLimiter, type RateLimiter, type RateLimitOptions } from './rate-limit.js';
export { CookieSealer, readCookie, SESSION_COOKIE, type UiSession } from './session.js';
