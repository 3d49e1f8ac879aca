/** The page: wires the URL state, the API resources and the views together. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ApiClient, ApiError } from './api/client.js';
import type { Merchant } from './api/types.js';
import { Banners, EmptyState, Loading, type BannerMessage } from './components/common.js';
import { ComparePanel } from './components/compare.js';
import { MerchantPicker, PeriodNav, Tabs, TimeframeSwitch } from './components/controls.js';
import { ForecastPanel, type ModelChoice } from './components/forecast.js';
import { linkTo } from './components/link.js';
import { TopCategoriesPanel } from './components/top-categories.js';
import { useNow, useResource, useUrlState, type Resource, type ResourceCache } from './hooks.js';
import { formatAge, formatAsOf } from './lib/format.js';
import {
  bucketTypeOf,
  currentPeriod,
  periodContaining,
  periodLabel,
  shiftPeriod,
  type Timeframe,
} from './lib/period.js';
import { headingLookup, soFarLookup } from './lib/so-far.js';
import { tokenMerchants } from './lib/token.js';

/** Longest the first view waits for its responses before showing what it has. */
const FIRST_VIEW_WAIT_MS = 4000;

/** Buckets of history the comparison chart shows. */
const HISTORY: Record<Timeframe, number> = { day: 60, week: 52, month: 24, year: 6 };

/** Props of {@link App}. */
export interface AppProps {
  readonly api: ApiClient;
  /** The bearer token of this tab, if any (decoded only to offer its merchants). */
  readonly token: string | undefined;
  /** The signed-in person (OpenID Connect sign-in), when there is one. */
  readonly session?: SignedInUser;
}

/** Who is signed in, as the header shows it. */
export interface SignedInUser {
  readonly name: string;
  readonly merchants: '*' | readonly string[];
  readonly onSignOut: () => void;
}

/** The page after signing out: nothing of the merchant's, one way back in. */
export function SignedOut() {
  useEffect(() => {
    document.title = 'Signed out · catcast';
  }, []);
  return (
    <main id="main" class="signed-out">
      <h1>You are signed out of catcast</h1>
      <p>
        <a href="/ui/">Sign in again</a>
      </p>
    </main>
  );
}

function problemText(error: ApiError | undefined): string | undefined {
  return error && !error.transient ? error.message : undefined;
}

/** The merchant UI. */
export function App({ api, token, session }: AppProps) {
  const [state, navigate] = useUrlState();
  const cache = useMemo<ResourceCache>(() => new Map(), []);
  const [retryNonce, setRetryNonce] = useState(0);
  const now = useNow();
  const allowed = session?.merchants ?? (token ? tokenMerchants(token) : undefined) ?? '*';
  const opts = { cache, retryNonce };

  const merchantsRes = useResource<readonly Merchant[]>(
    'merchants',
    async (signal) => {
      if (allowed === '*') return (await api.merchants(signal)).merchants;
      // A token scoped to some merchants: offer exactly those (the server enforces the scope anyway).
      const settled = await Promise.allSettled(allowed.map((id) => api.merchant(id, signal)));
      const found = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (found.length === 0 && failed) throw failed.reason;
      return found;
    },
    { ...opts, refreshMs: 300_000 },
  );
  const merchants = merchantsRes.data ?? [];
  const merchant =
    merchants.find((m) => m.id === state.merchant) ?? (state.merchant ? undefined : merchants[0]);

  // The default merchant becomes part of the URL, so the address bar can always be shared as is.
  useEffect(() => {
    if (!state.merchant && merchant) navigate({ ...state, merchant: merchant.id }, true);
  }, [merchant?.id, state.merchant]);

  const tf = state.tf;
  const bt = bucketTypeOf(tf);
  const calendar = merchant ? { timezone: merchant.timezone, weekStart: merchant.weekStart } : undefined;
  const current = calendar ? currentPeriod(tf, now, calendar) : undefined;
  const requested =
    state.period && merchant ? periodContaining(tf, state.period, merchant.weekStart) : undefined;
  const period = requested && current && requested < current ? requested : current;
  const mid = merchant?.id;

  const detailRes = useResource(mid ? `merchant|${mid}` : null, (s) => api.merchant(mid!, s), {
    ...opts,
    refreshMs: 30_000,
  });
  const topRes = useResource(
    mid && period ? `top|${mid}|${bt}|${period}` : null,
    (s) => api.topCategories({ merchantId: mid!, bucketType: bt, bucketStart: period!, limit: 100 }, s),
    { ...opts, refreshMs: period === current ? 30_000 : undefined },
  );
  const forecastRes = useResource(
    mid && tf !== 'day' ? `forecast|${mid}|${bt}|${state.model}` : null,
    (s) => api.forecastTop({ merchantId: mid!, bucketType: bt, model: state.model, limit: 10 }, s),
    { ...opts, refreshMs: 60_000 },
  );
  // Where the period in progress is heading: only while the forecast is for it (never for DAY).
  const nowcastRes = useResource(
    mid && tf !== 'day' && current ? `nowcast|${mid}|${bt}|${state.model}|${current}` : null,
    (s) => api.nowcast({ merchantId: mid!, bucketType: bt, model: state.model, limit: 100 }, s),
    { ...opts, refreshMs: 30_000 },
  );
  const modelsRes = useResource('models', (s) => api.models(s), opts);
  const compareRes = useResource(
    mid && tf !== 'day' && state.view === 'compare' ? `compare|${mid}|${bt}` : null,
    (s) => api.compareModels({ merchantId: mid!, bucketType: bt }, s),
    { ...opts, refreshMs: 60_000 },
  );
  const compareCategory = state.category ?? compareRes.data?.categories[0]?.categoryId;
  const from = current ? shiftPeriod(tf, current, -(HISTORY[tf] - 1)) : undefined;
  const salesRes = useResource(
    mid && current && from && compareCategory && state.view === 'compare' && tf !== 'day'
      ? `sales|${mid}|${bt}|${compareCategory}|${from}|${current}`
      : null,
    (s) =>
      api.categorySales(
        { merchantId: mid!, bucketType: bt, from: from!, to: current!, categoryId: compareCategory! },
        s,
      ),
    { ...opts, refreshMs: 60_000 },
  );

  // The next H periods of the compared category, for the model in use (the fan after its history).
  const pathRes = useResource(
    mid && compareCategory && state.view === 'compare' && tf !== 'day'
      ? `path|${mid}|${bt}|${compareCategory}|${state.model}`
      : null,
    (s) =>
      api.categoryPath(
        { merchantId: mid!, bucketType: bt, categoryId: compareCategory!, model: state.model },
        s,
      ),
    { ...opts, refreshMs: 60_000 },
  );

  const models: ModelChoice[] = [
    { name: 'auto' },
    ...(modelsRes.data?.models ?? [])
      .filter((m) => m.name !== 'auto')
      .map((m) => ({ name: m.name, description: m.description })),
  ];

  // The first view appears at once, when its first responses are in (or after FIRST_VIEW_WAIT_MS):
  // until then a skeleton holds the space, so panels and banners never push each other around while
  // they fill in (layout shift).
  const [settled, setSettled] = useState(false);
  const firstLoading = [merchantsRes, detailRes, topRes, forecastRes, compareRes, salesRes].some(
    (r) => r.loading,
  );
  useEffect(() => {
    if (settled) return undefined;
    if (!firstLoading) {
      setSettled(true);
      return undefined;
    }
    const t = window.setTimeout(() => setSettled(true), FIRST_VIEW_WAIT_MS);
    return () => window.clearTimeout(t);
  }, [settled, firstLoading]);

  // ---- banners
  const banners: BannerMessage[] = [];
  const resources: Resource<unknown>[] = [merchantsRes, detailRes, topRes, forecastRes, compareRes, salesRes];
  const transient = resources.find((r) => r.error?.transient);
  if (transient) {
    const when =
      transient.at && merchant
        ? formatAsOf(new Date(transient.at).toISOString(), merchant.timezone, now)
        : undefined;
    banners.push({
      id: 'offline',
      kind: 'error',
      text: (
        <>
          Cannot reach catcast right now ({transient.error!.message}).{' '}
          {when ? `Showing what was loaded at ${when}. ` : ''}Retrying automatically.
        </>
      ),
      action: { label: 'Retry now', onClick: () => setRetryNonce((n) => n + 1) },
    });
  }
  const auth = resources.find((r) => r.error?.status === 401 || r.error?.status === 403);
  if (auth) {
    banners.push({
      id: 'auth',
      kind: 'error',
      text:
        auth.error!.status === 401
          ? session
            ? 'Your sign-in has ended. Reload the page to sign in again.'
            : 'This page needs a valid sign-in link: open the catcast link (with ?token=…) that your platform gave you.'
          : `Your sign-in does not allow this: ${auth.error!.message}`,
    });
  }
  const top = topRes.data;
  if (top?.freshness.stale) {
    const lag = top.freshness.lagSeconds;
    banners.push({
      id: 'aggregates-stale',
      kind: 'warning',
      text: `Sales figures are catching up: some recent orders are not counted yet${lag ? ` (delay about ${Math.round(lag)} s)` : ''}.`,
    });
  }
  const fc = tf === 'day' ? undefined : forecastRes.data;
  if (fc?.stale) {
    banners.push({
      id: 'forecast-stale',
      kind: 'warning',
      text: `The forecast is out of date${fc.generatedAt ? ` (computed ${formatAge(fc.generatedAt, now)})` : ''}${
        fc.reason ? `: ${fc.reason}` : ''
      }. It is refreshed when the forecast job runs.`,
    });
  }
  if (fc?.source === 'on_demand') {
    banners.push({
      id: 'forecast-on-demand',
      kind: 'info',
      text: `This forecast was computed on request${
        fc.reason && !fc.stale ? ` (${fc.reason})` : ''
      }; figures may change when the scheduled forecast job runs.`,
    });
  }

  useEffect(() => {
    const parts = [merchant?.name, period ? periodLabel(tf, period) : undefined, 'catcast'].filter(Boolean);
    document.title = parts.join(' · ');
  }, [merchant?.name, tf, period]);

  const asOf = top?.asOf ?? detailRes.data?.asOf ?? null;
  const hasSales =
    detailRes.data?.eventsApplied === undefined ? undefined : detailRes.data.eventsApplied !== '0';

  // ---- navigation
  const onTimeframe = (next: Timeframe) => {
    const p = state.period && merchant ? periodContaining(next, state.period, merchant.weekStart) : undefined;
    const cur = calendar ? currentPeriod(next, now, calendar) : undefined;
    navigate({ ...state, tf: next, period: p && cur && p < cur ? p : undefined });
  };

  let content;
  if (!merchantsRes.data) {
    content = merchantsRes.loading ? (
      <Loading label="Loading merchants…" />
    ) : (
      <EmptyState title="The merchant list is not available.">
        <p>{merchantsRes.error?.message ?? 'Try again in a moment.'}</p>
      </EmptyState>
    );
  } else if (merchants.length === 0) {
    content = (
      <EmptyState title="No merchants yet">
        <p>
          When the platform sends its first orders (or the simulator runs), merchants appear here with their
          best-selling categories.
        </p>
      </EmptyState>
    );
  } else if (!merchant || !period || !current) {
    content = (
      <EmptyState title={`Merchant ${state.merchant ?? ''} was not found`}>
        <p>Choose one of your merchants above.</p>
      </EmptyState>
    );
  } else if (state.view === 'compare') {
    content = (
      <ComparePanel
        data={compareRes.data}
        loading={compareRes.loading}
        unavailable={problemText(compareRes.error)}
        sales={salesRes.data}
        salesLoading={salesRes.loading}
        tf={tf}
        current={current}
        category={state.category}
        onCategory={(id) => navigate({ ...state, category: id })}
        model={state.model}
        onModel={(m) => navigate({ ...state, model: m })}
        merchantId={merchant.id}
        path={pathRes.data}
        pathLoading={pathRes.loading}
        pathUnavailable={problemText(pathRes.error)}
      />
    );
  } else {
    content = (
      <>
        <PeriodNav
          tf={tf}
          period={period}
          current={current}
          weekStart={merchant.weekStart}
          onChange={(p) => navigate({ ...state, period: p })}
        />
        <div class="panels">
          <TopCategoriesPanel
            data={top && top.bucketStart === period ? top : undefined}
            loading={topRes.loading}
            tf={tf}
            period={period}
            isCurrent={period === current}
            merchantId={merchant.id}
            hasSales={hasSales}
            group={state.group}
            onGroup={(group) => navigate({ ...state, group }, true)}
            onGoCurrent={() => navigate({ ...state, period: undefined })}
          />
          <ForecastPanel
            data={fc}
            loading={forecastRes.loading}
            unavailable={problemText(forecastRes.error)}
            tf={tf}
            models={models}
            model={state.model}
            onModel={(m) => navigate({ ...state, model: m })}
            compareLink={(categoryId) =>
              linkTo({ ...state, view: 'compare', category: categoryId }, navigate)
            }
            now={now}
            current={current}
            soFar={soFarLookup(top, fc?.targetBucketStart)}
            heading={headingLookup(nowcastRes.data, fc?.targetBucketStart, fc?.model ?? state.model)}
          />
        </div>
      </>
    );
  }

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ▮▮▯
          </span>
          <h1>catcast</h1>
          <span class="tagline muted">sales by category</span>
        </div>
        {merchants.length > 0 ? (
          <MerchantPicker
            merchants={merchants}
            selected={merchant?.id}
            onSelect={(id) => navigate({ ...state, merchant: id, period: undefined, category: undefined })}
          />
        ) : merchantsRes.loading ? (
          // The picker's place, so the header does not grow when the merchants arrive.
          <div class="field" aria-hidden="true">
            <span>Merchant</span>
            <select disabled tabIndex={-1}>
              <option>{state.merchant ?? 'Loading…'}</option>
            </select>
          </div>
        ) : null}
        <p class="freshness" data-freshness>
          {merchant && asOf ? (
            <span title={`${asOf} (${merchant.timezone})`}>
              Data as of {formatAsOf(asOf, merchant.timezone, now)}
            </span>
          ) : merchant ? (
            <span class="muted">No data yet</span>
          ) : (
            '\u00a0'
          )}
        </p>
        {session && (
          <div class="user" data-user>
            <span>
              Signed in as <strong data-user-name>{session.name}</strong>
              <span class="muted" data-user-merchants>
                {' · '}
                {session.merchants === '*' ? 'all merchants' : session.merchants.join(', ') || 'no merchants'}
              </span>
            </span>
            <button type="button" class="button" onClick={session.onSignOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {settled ? (
          <>
            <Banners messages={banners} />
            {merchant && (
              <div class="controls">
                <TimeframeSwitch value={tf} onChange={onTimeframe} />
                <Tabs state={state} navigate={navigate} />
              </div>
            )}
            {content}
          </>
        ) : (
          <div class="first-view" role="status" aria-busy="true">
            <span class="sr-only">Loading…</span>
            <div class="skeleton skeleton-controls" />
            <div class="panels">
              <div class="panel skeleton skeleton-panel" />
              <div class="panel skeleton skeleton-panel" />
            </div>
          </div>
        )}
      </main>
      <footer class="footer muted">
        {settled && merchant && (
          <>
            Times in {merchant.timezone} · weeks start on {merchant.weekStart.toLowerCase()} · amounts in{' '}
            {merchant.currency}
          </>
        )}
      </footer>
    </>
  );
}
