/**
 * Entry point. With OpenID Connect sign-in on, forecast-api holds the session (an HttpOnly cookie)
 * and the page only asks who is signed in; without it (make dev), a one-time ?token= is moved into
 * sessionStorage as before.
 */
import { render } from 'preact';
import { createApiClient } from './api/client.js';
import { App, SignedOut } from './app.js';
import { loadSession, loginUrl, signOut, type SessionState } from './lib/session.js';
import { takeToken } from './lib/url-state.js';
import './styles.css';

const TOKEN_KEY = 'catcast.token';

function initialToken(): string | undefined {
  const { token, search } = takeToken(window.location.search);
  if (token) {
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch {
      // Storage disabled (private mode): the token still works for this page view.
    }
    window.history.replaceState(null, '', search || window.location.pathname);
    return token;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

const root = document.getElementById('app')!;

function signIn(): void {
  window.location.assign(loginUrl(window.location));
}

/** Renews the session shortly before it expires; when renewal is refused, signs in again (back to this view). */
function keepAlive(session: SessionState & { kind: 'in' }): void {
  const wait = Math.max(5, session.expiresAt - Math.floor(Date.now() / 1000) - 30) * 1000;
  window.setTimeout(() => {
    loadSession().then(
      (next) => (next.kind === 'in' ? keepAlive(next) : signIn()),
      () => keepAlive({ ...session, expiresAt: Math.floor(Date.now() / 1000) + 40 }),
    );
  }, wait);
}

async function start(): Promise<void> {
  if (window.location.pathname.endsWith('/signed-out')) {
    render(<SignedOut />, root);
    return;
  }
  const token = initialToken();
  const session: SessionState = token
    ? { kind: 'off' }
    : await loadSession().catch(() => ({ kind: 'off' }) as const);
  if (session.kind === 'signin') {
    signIn();
    return;
  }
  if (session.kind === 'off') {
    render(<App api={createApiClient({ token: () => token })} token={token} />, root);
    return;
  }
  keepAlive(session);
  // An API 401 means the access token expired between renewals: ask once more, else sign in again.
  let renewing: Promise<boolean> | undefined;
  const api = createApiClient({
    onUnauthorized: () =>
      (renewing ??= loadSession()
        .then((s) => (s.kind === 'in' ? true : (signIn(), false)))
        .finally(() => (renewing = undefined))),
  });
  render(
    <App
      api={api}
      token={undefined}
      session={{
        name: session.name,
        merchants: session.merchants,
        onSignOut: () => void signOut().then((to) => window.location.assign(to)),
      }}
    />,
    root,
  );
}

void start();
