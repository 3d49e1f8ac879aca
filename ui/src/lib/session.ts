/**
 * The page's sign-in session, kept by forecast-api (pkg/ui/login.ts) in an HttpOnly cookie: the page
 * never holds a token. It only learns who is signed in, which merchants they may see and when the
 * session must be renewed.
 */

/** What GET /ui/auth/session says. */
export type SessionState =
  /** Sign-in is not configured (development): the page uses a ?token= link instead. */
  | { readonly kind: 'off' }
  /** Nobody is signed in (or the session ended): go to the provider. */
  | { readonly kind: 'signin' }
  | {
      readonly kind: 'in';
      readonly name: string;
      readonly merchants: '*' | readonly string[];
      /** Seconds since the epoch when the session must be renewed or ends. */
      readonly expiresAt: number;
    };

/** Asks forecast-api who is signed in; it renews the provider's tokens when they are about to expire. */
export async function loadSession(fetchImpl: typeof fetch = fetch): Promise<SessionState> {
  const res = await fetchImpl('/ui/auth/session', {
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { accept: 'application/json' },
  });
  if (res.status === 401) return { kind: 'signin' };
  // 404 problem+json: sign-in is off. Anything else that is not our JSON: treat as off as well.
  if (!res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return { kind: 'off' };
  const body = (await res.json()) as {
    signedIn?: boolean;
    name?: unknown;
    merchants?: unknown;
    expiresAt?: unknown;
  };
  if (!body.signedIn) return { kind: 'signin' };
  return {
    kind: 'in',
    name: typeof body.name === 'string' ? body.name : 'signed in',
    merchants: body.merchants === '*' ? '*' : Array.isArray(body.merchants) ? body.merchants.map(String) : [],
    expiresAt: typeof body.expiresAt === 'number' ? body.expiresAt : Math.floor(Date.now() / 1000) + 60,
  };
}

/** The sign-in URL that brings the user back to `here` (path and query of the page) afterwards. */
export function loginUrl(here: { pathname: string; search: string }): string {
  const back = here.pathname.startsWith('/ui/') ? `${here.pathname}${here.search}` : '/ui/';
  return `/ui/auth/login?return=${encodeURIComponent(back)}`;
}

/** Ends the session at forecast-api and returns where to go next (the provider's sign-out). */
export async function signOut(fetchImpl: typeof fetch = fetch): Promise<string> {
  const res = await fetchImpl('/ui/auth/logout', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'x-catcast-logout': '1', accept: 'application/json' },
  });
  const body = (await res.json().catch(() => ({}))) as { redirect?: unknown };
  return typeof body.redirect === 'string' ? body.redirect : '/ui/signed-out';
}
