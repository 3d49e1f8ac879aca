/**
 * A stand-in for forecast-api with canned JSON in the shapes of the HTTP contracts, for browser
 * tests of states the real services cannot be put in on demand (API down, a merchant without sales).
 * It serves the real built UI through pkg/ui.
 */
import { Hono } from 'hono';
import { uiRoutes } from '../../../pkg/ui/index.js';
import {
  bucketStart,
  formatDate,
  parseDate,
  shiftBucket,
  type BucketType,
  type WeekStart,
} from '../../../pkg/buckets/index.js';

/** Switches a test flips to change what the canned API answers. */
export interface CannedControls {
  /** Every /api and /forecast request fails with 503 while true. */
  down: boolean;
  /** Number of API requests answered (for waiting on retries). */
  requests: number;
  /** GET /api/merchants lists nobody while true (a fresh installation). */
  noMerchants: boolean;
  /** Every API request gets 401 while true (an expired or foreign token). */
  unauthorized: boolean;
}

interface CannedMerchant {
  id: string;
  name: string;
  timezone: string;
  weekStart: WeekStart;
  currency: string;
  categories: { id: string; name: string; parent: string | null; base: number }[];
}

const MERCHANTS: CannedMerchant[] = [
  {
    id: 'canned-toys',
    name: 'Canned Toys',
    timezone: 'Europe/Berlin',
    weekStart: 'MONDAY',
    currency: 'EUR',
    categories: [
      { id: 'toys', name: 'Toys & Games', parent: null, base: 0 },
      { id: 'toys.lego', name: 'Building sets', parent: 'toys', base: 900 },
      { id: 'toys.puzzles', name: 'Puzzles', parent: 'toys', base: 420 },
      { id: 'garden', name: 'Garden', parent: null, base: 0 },
      { id: 'garden.tools', name: 'Garden tools', parent: 'garden', base: 650 },
      { id: 'garden.seeds', name: 'Seeds & bulbs', parent: 'garden', base: 210 },
      { id: 'books', name: 'Books', parent: null, base: 300 },
    ],
  },
  {
    id: 'canned-new',
    name: 'Brand New Shop',
    timezone: 'America/New_York',
    weekStart: 'SUNDAY',
    currency: 'USD',
    categories: [],
  },
];

const MODELS = ['seasonal_naive', 'naive', 'ets', 'theta', 'holt_winters_additive', 'window_average'];
const SCALE: Record<BucketType, number> = { DAY: 1 / 7, WEEK: 1, MONTH: 4.3, YEAR: 52 };

function amount(minor: number): string {
  return (minor / 100).toFixed(2);
}

// Deterministic "sales" of a category in a bucket: a base, a yearly wave and a little hash noise.
function sales(base: number, start: string, type: BucketType): number {
  const d = parseDate(start)!;
  const wave = 1 + 0.3 * Math.sin(((d.month - 1) / 12) * 2 * Math.PI);
  let h = 0;
  for (const ch of start + base) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return Math.round(base * 100 * SCALE[type] * wave * (0.85 + (h % 300) / 1000));
}

/** Builds the canned app and the controls a test flips. */
export function createCannedApp(now: () => Date = () => new Date()): { app: Hono; controls: CannedControls } {
  const controls: CannedControls = { down: false, requests: 0, noMerchants: false, unauthorized: false };
  const app = new Hono();
  const find = (id: string | undefined) => MERCHANTS.find((m) => m.id === id);
  const problem = (status: number, detail: string) =>
    new Response(JSON.stringify({ type: 'about:blank', title: 'Error', status, detail }), {
      status,
      headers: { 'content-type': 'application/problem+json' },
    });

  for (const prefix of ['/api/*', '/forecast/*']) {
    app.use(prefix, async (_c, next) => {
      controls.requests++;
      if (controls.down) return problem(503, 'upstream unavailable');
      if (controls.unauthorized) return problem(401, 'token expired');
      await next();
    });
  }

  const freshness = () => ({ lastAppliedAt: now().toISOString(), lagSeconds: 0.4, stale: false });
  const summary = (m: CannedMerchant) => ({
    id: m.id,
    name: m.name,
    timezone: m.timezone,
    weekStart: m.weekStart,
    currency: m.currency,
  });

  app.get('/api/merchants', (c) => c.json({ merchants: controls.noMerchants ? [] : MERCHANTS.map(summary) }));
  app.get('/api/merchants/:id', (c) => {
    const m = find(c.req.param('id'));
    if (!m) return problem(404, 'unknown merchant');
    return c.json({
      ...summary(m),
      eventsApplied: m.categories.length ? '1234' : '0',
      asOf: m.categories.length ? new Date(now().getTime() - 90_000).toISOString() : null,
      freshness: freshness(),
    });
  });
  app.get('/api/top-categories', (c) => {
    const m = find(c.req.query('merchantId'));
    if (!m) return problem(404, 'unknown merchant');
    const type = c.req.query('bucketType') as BucketType;
    const start = c.req.query('bucketStart') ?? bucketStart(now(), type, m);
    const prev = formatDate(shiftBucket(parseDate(start)!, type, -1));
    const leaves = m.categories.filter((x) => x.base > 0);
    const rows = leaves
      .map((x) => ({ x, total: sales(x.base, start, type), previous: sales(x.base, prev, type) }))
      .sort((a, b) => b.total - a.total);
    const total = rows.reduce((s, r) => s + r.total, 0);
    const previousTotal = rows.reduce((s, r) => s + r.previous, 0);
    return c.json({
      merchantId: m.id,
      currency: m.currency,
      bucketType: type,
      bucketStart: start,
      bucketEnd: formatDate(shiftBucket(parseDate(start)!, type, 1)),
      periodTotal: amount(total),
      previousPeriodTotal: amount(previousTotal),
      categoryCount: rows.length,
      categories: rows.map((r, i) => ({
        rank: i + 1,
        categoryId: r.x.id,
        name: r.x.name,
        parentCategoryId: r.x.parent,
        total: amount(r.total),
        totalMinor: String(r.total),
        orderCount: Math.round(r.total / 2500),
        itemCount: Math.round(r.total / 1800),
        share: total ? r.total / total : 0,
        previousTotal: amount(r.previous),
        previousTotalMinor: String(r.previous),
      })),
      asOf: rows.length ? new Date(now().getTime() - 90_000).toISOString() : null,
      freshness: freshness(),
    });
  });
  app.get('/api/category-sales', (c) => {
    const m = find(c.req.query('merchantId'));
    if (!m) return problem(404, 'unknown merchant');
    const type = c.req.query('bucketType') as BucketType;
    const buckets: string[] = [];
    for (
      let d = parseDate(c.req.query('from')!)!;
      formatDate(d) <= c.req.query('to')!;
      d = shiftBucket(d, type, 1)
    ) {
      buckets.push(formatDate(d));
    }
    const only = c.req.query('categoryId');
    const series = m.categories
      .filter((x) => x.base > 0 && (!only || x.id === only))
      .map((x) => ({
        categoryId: x.id,
        name: x.name,
        totals: buckets.map((b) => amount(sales(x.base, b, type))),
      }));
    return c.json({ merchantId: m.id, currency: m.currency, bucketType: type, buckets, series });
  });

  function forecastsOf(m: CannedMerchant, type: BucketType) {
    const target = formatDate(shiftBucket(parseDate(bucketStart(now(), type, m))!, type, 1));
    return {
      target,
      categories: m.categories
        .filter((x) => x.base > 0)
        .map((x) => {
          const base = sales(x.base, target, type);
          const models = MODELS.map((name, i) => {
            const point = Math.round(base * (0.9 + i * 0.04));
            const mase = 0.6 + ((i * 37 + x.base) % 50) / 100;
            const wape = 0.08 + ((i * 13 + x.base) % 20) / 100;
            return {
              model: name,
              modelVersion: '1.0.0',
              forecast: amount(point),
              lo80: amount(point * 0.85),
              hi80: amount(point * 1.15),
              lo95: amount(point * 0.75),
              hi95: amount(point * 1.27),
              metrics: {
                mase,
                wape,
                smape: wape * 1.1,
                coverage80: 0.8,
                coverage95: 0.94,
                ratioToSeasonalNaive: mase / 0.95,
              },
              ratioToSeasonalNaive: mase / 0.95,
            };
          });
          const winner = [...models].sort((a, b) => a.metrics.mase - b.metrics.mase)[0]!;
          return { x, models, winner, point: Number(winner.forecast) };
        })
        .sort((a, b) => b.point - a.point),
    };
  }

  app.get('/forecast/models', (c) =>
    c.json({ models: MODELS.map((name) => ({ name, version: '1.0.0', description: `${name} model` })) }),
  );
  app.get('/forecast/top-categories', (c) => {
    const m = find(c.req.query('merchant_id'));
    if (!m) return problem(404, 'unknown merchant');
    const type = c.req.query('bucket_type') as BucketType;
    const model = c.req.query('model') ?? 'auto';
    const f = forecastsOf(m, type);
    return c.json({
      merchantId: m.id,
      currency: m.currency,
      bucketType: type,
      targetBucketStart: f.target,
      targetBucketEnd: formatDate(shiftBucket(parseDate(f.target)!, type, 1)),
      model,
      source: 'precomputed',
      generatedAt: new Date(now().getTime() - 600_000).toISOString(),
      runId: 'run-1',
      stale: false,
      categories: f.categories.map((r, i) => {
        const chosen = model === 'auto' ? r.winner : (r.models.find((x) => x.model === model) ?? r.winner);
        return {
          rank: i + 1,
          categoryId: r.x.id,
          name: r.x.name,
          parentCategoryId: r.x.parent,
          forecast: chosen.forecast,
          lo80: chosen.lo80,
          hi80: chosen.hi80,
          lo95: chosen.lo95,
          hi95: chosen.hi95,
          model: chosen.model,
          modelVersion: chosen.modelVersion,
          fallbackFrom: null,
          fallbackReason: null,
          metrics: chosen.metrics,
        };
      }),
    });
  });
  // The period in progress: half of each category's sales so far, heading for all of them.
  app.get('/forecast/nowcast', (c) => {
    const m = find(c.req.query('merchant_id'));
    if (!m) return problem(404, 'unknown merchant');
    const type = c.req.query('bucket_type') as BucketType;
    const current = bucketStart(now(), type, m);
    return c.json({
      bucketStart: current,
      model: c.req.query('model') ?? 'auto',
      categories: m.categories
        .filter((x) => x.base > 0)
        .map((x) => {
          const whole = sales(x.base, current, type);
          return {
            categoryId: x.id,
            soFar: amount(whole / 2),
            nowcast: amount(whole),
            lo80: amount(whole * 0.9),
            hi80: amount(whole * 1.1),
          };
        }),
    });
  });
  app.get('/forecast/compare-models', (c) => {
    const m = find(c.req.query('merchant_id'));
    if (!m) return problem(404, 'unknown merchant');
    const type = c.req.query('bucket_type') as BucketType;
    const f = forecastsOf(m, type);
    return c.json({
      merchantId: m.id,
      currency: m.currency,
      bucketType: type,
      targetBucketStart: f.target,
      generatedAt: new Date(now().getTime() - 600_000).toISOString(),
      source: 'precomputed',
      categories: f.categories.map((r) => ({
        categoryId: r.x.id,
        name: r.x.name,
        winner: r.winner.model,
        models: r.models,
      })),
    });
  });
  app.route('/', uiRoutes());
  return { app, controls };
}
