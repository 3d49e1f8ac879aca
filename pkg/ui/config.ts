import { z } from 'zod';
import { positiveInt } from '../config/index.js';

/** Settings of the UI's OpenID Connect sign-in (forecast-api). The provider is AUTH_ISSUER. */
export const uiLoginEnv = {
  /** Client id of the catcast UI at the identity provider; setting it turns sign-in on (needs AUTH_ISSUER and AUTH_SESSION_SECRET). @default unset (no sign-in: dev tokens only) */
  UI_OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** Client secret (a confidential client, sent with HTTP Basic); unset for a public client (PKCE alone). @default unset */
  UI_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** Scopes requested at sign-in (offline_access asks for a refresh token: silent renewal). @default openid profile offline_access sales:read forecasts:read */
  UI_OIDC_SCOPES: z.string().min(1).default('openid profile offline_access sales:read forecasts:read'),
  /** Public URL of forecast-api's /ui (e.g. https://catcast.example.com/ui), for the redirect URIs. @default the request's own origin + /ui */
  UI_PUBLIC_URL: z.string().url().optional(),
  /** Longest a sign-in lasts, seconds, however often its tokens are renewed. @default 28800 */
  UI_SESSION_MAX_AGE_SECONDS: positiveInt(28_800),
};

/** Parsed UI sign-in settings (with the AUTH_* values it uses). */
export interface UiLoginConfig {
  readonly UI_OIDC_CLIENT_ID?: string | undefined;
  readonly UI_OIDC_CLIENT_SECRET?: string | undefined;
  readonly UI_OIDC_SCOPES: string;
  readonly UI_PUBLIC_URL?: string | undefined;
  readonly UI_SESSION_MAX_AGE_SECONDS: number;
  readonly AUTH_ISSUER?: string | undefined;
  readonly AUTH_SESSION_SECRET?: string | undefined;
}
