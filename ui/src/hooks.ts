/** Small hooks: data resources that survive outages, the URL as state, a ticking clock, element width. */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api/client.js';
import { formatViewState, parseViewState, type ViewState } from './lib/url-state.js';

/** Last good responses by key, so that an outage or a step back shows what the page already had. */
export type ResourceCache = Map<string, { data: unknown; at: number }>;

/** The state of one fetched resource. */
export interface Resource<T> {
  /** The newest data for the current key (possibly older than an error). */
  readonly data: T | undefined;
  /** When `data` was fetched (ms since epoch). */
  readonly at: number | undefined;
  /** The last failure for the current key, cleared by the next success. */
  readonly error: ApiError | undefined;
  /** True while the first response for the key is awaited (not during background refreshes). */
  readonly loading: boolean;
}

/** Options of {@link useResource}. */
export interface ResourceOptions {
  readonly cache: ResourceCache;
  /** Re-fetch this often while the page is visible (ms). @default none */
  readonly refreshMs?: number;
  /** Changing it re-fetches at once ("Retry now"). */
  readonly retryNonce?: number;
}

const RETRY_MS = [2_000, 5_000, 10_000, 30_000];

function asApiError(err: unknown): ApiError {
  return err instanceof ApiError
    ? err
    : new ApiError(err instanceof Error ? err.message : String(err), 0, '');
}

/**
 * Fetches `load()` for `key` (null: nothing to fetch), keeps the last good data through failures,
 * retries transient failures with backoff and refreshes in the background every `refreshMs`.
 */
export function useResource<T>(
  key: string | null,
  load: (signal: AbortSignal) => Promise<T>,
  options: ResourceOptions,
): Resource<T> {
  const { cache, refreshMs, retryNonce = 0 } = options;
  const cached = key === null ? undefined : cache.get(key);
  const [state, setState] = useState<{ key: string | null; error: ApiError | undefined; loading: boolean }>({
    key,
    error: undefined,
    loading: key !== null && !cached,
  });
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    if (key === null) return undefined;
    const controller = new AbortController();
    let timer: number | undefined;
    let attempt = 0;
    const schedule = (ms: number) => {
      timer = window.setTimeout(() => {
        if (document.visibilityState === 'hidden' && attempt === 0) schedule(ms);
        else run();
      }, ms);
    };
    const run = () => {
      setState((s) => (s.key === key ? s : { key, error: undefined, loading: !cache.has(key) }));
      loadRef.current(controller.signal).then(
        (data) => {
          if (controller.signal.aborted) return;
          attempt = 0;
          cache.set(key, { data, at: Date.now() });
          setState({ key, error: undefined, loading: false });
          if (refreshMs) schedule(refreshMs);
        },
        (err: unknown) => {
          if (controller.signal.aborted) return;
          const error = asApiError(err);
          setState({ key, error, loading: false });
          if (error.transient) schedule(RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]!);
        },
      );
    };
    run();
    const online = () => {
      window.clearTimeout(timer);
      run();
    };
    window.addEventListener('online', online);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
      window.removeEventListener('online', online);
    };
  }, [key, retryNonce, cache, refreshMs]);

  // A key seen before but not yet re-fetched shows its cached data at once.
  const entry = key === null ? undefined : cache.get(key);
  const same = state.key === key;
  return {
    data: entry?.data as T | undefined,
    at: entry?.at,
    error: same ? state.error : undefined,
    loading: key !== null && !entry && (same ? state.loading : true),
  };
}

/** The view state in the address bar; `navigate` pushes (or replaces) a history entry. */
export function useUrlState(): [ViewState, (next: ViewState, replace?: boolean) => void] {
  const [state, setState] = useState(() => parseViewState(window.location.search));
  useEffect(() => {
    const onPop = () => setState(parseViewState(window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((next: ViewState, replace = false) => {
    const url = formatViewState(next) || window.location.pathname;
    if (replace) window.history.replaceState(null, '', url);
    else window.history.pushState(null, '', url);
    setState(next);
  }, []);
  return [state, navigate];
}

/** The current time, updated every `everyMs` (so "current period" rolls over at midnight). */
export function useNow(everyMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = window.setInterval(() => setNow(new Date()), everyMs);
    return () => window.clearInterval(t);
  }, [everyMs]);
  return now;
}

/** The content width of an element, following resizes. */
export function useWidth<E extends HTMLElement>(initial = 640): [(el: E | null) => void, number] {
  const [width, setWidth] = useState(initial);
  const [el, setEl] = useState<E | null>(null);
  useLayoutEffect(() => {
    if (!el) return undefined;
    setWidth(el.clientWidth || initial);
    const ro = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w) setWidth(Math.round(w));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [el, initial]);
  return [setEl, width];
}
