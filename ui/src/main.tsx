/** Entry point: takes a one-time ?token= into sessionStorage, then renders the page. */
import { render } from 'preact';
import { createApiClient } from './api/client.js';
import { App } from './app.js';
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

const token = initialToken();
const api = createApiClient({ token: () => token });
render(<App api={api} token={token} />, document.getElementById('app')!);
