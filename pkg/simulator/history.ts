import { localDate, startOfLocalDay, type CivilDate } from '../buckets/index.js';
import { formatAmount } from '../money/index.js';
import {
  checkInt,
  rawSeason,
  SimulatorOptionError,
  type SimCatalog,
  type SimCategory,
  type SimMerchant,
  type SimProduct,
} from './catalog.js';
import { createPrng, seedTag, type Prng } from './prng.js';
import { HOURLY_WEIGHTS } from './templates.js';

/** One order line exactly as `POST /v1/orders` takes it. */
export interface SimOrderItem {
  readonly productId: string;
  readonly quantity: number;
  /** Decimal string with exactly the currency's decimals. */
  readonly unitPrice: string;
}

/** One order exactly as `POST /v1/orders` takes it. */
export interface SimOrder {
  readonly merchantId: string;
  readonly externalOrderId: string;
  /** ISO 8601 instant. */
  readonly placedAt: string;
  readonly currency: string;
  readonly items: readonly SimOrderItem[];
}

/** Options of {@link generateHistory} and {@link countHistory}. */
export interface HistoryOptions {
  /** The catalog (its seed seeds the orders too). */
  readonly catalog: SimCatalog;
  /** Days of history per merchant, ending with the merchant's local day that contains `end`. @default 30 */
  readonly days?: number;
  /** Mean orders per merchant per day before seasonality, trend, promotions and noise. @default 50 */
  readonly ordersPerDay?: number;
  /** Exclusive upper bound of `placedAt`. @default now */
  readonly end?: Date;
}

/** A promotion: extra demand and a discount on one top-level category (or the whole shop) for a few days. */
export interface Promotion {
  /** Top-level category id, or "*" for the whole shop. */
  readonly target: string;
  /** First local day (days since 1970-01-01). */
  readonly startDay: number;
  readonly days: number;
  /** Demand multiplier while it runs. */
  readonly lift: number;
  /** Price reduction in percent. */
  readonly discountPercent: number;
}

const DAY_MS = 86_400_000;
/** Trend multipliers are 1 on this local date (2025-01-01), so `ordersPerDay` means volume around then. */
const TREND_ANCHOR_DAY = Date.UTC(2025, 0, 1) / DAY_MS;
const PROMO_BLOCK_DAYS = 28;
const LINE_COUNT_WEIGHTS = [60, 25, 9, 4, 2];
const QUANTITY_WEIGHTS = [82, 12, 4, 2];
const HOURLY_TOTAL = HOURLY_WEIGHTS.reduce((s, w) => s + w, 0);

/** Precomputed per-merchant lookups. */
interface MerchantModel {
  readonly merchant: SimMerchant;
  readonly seed: string;
  readonly leaves: readonly (SimCategory & { demand: NonNullable<SimCategory['demand']> })[];
  readonly products: readonly (readonly SimProduct[])[];
  readonly popularity: readonly (readonly number[])[];
}

/** Demand of one merchant on one local day. */
interface DayModel {
  readonly epochDay: number;
  readonly date: CivilDate;
  readonly startMs: number;
  readonly lengthMs: number;
  readonly weights: readonly number[];
  readonly total: number;
  /** Mean order count of the day (before the day's own noise). */
  readonly lambda: number;
  readonly discounts: readonly number[];
  /** The day's own generator, positioned after the demand draws. */
  readonly rng: Prng;
}

const models = new WeakMap<SimMerchant, MerchantModel>();

function modelOf(merchant: SimMerchant, seed: string): MerchantModel {
  let m = models.get(merchant);
  if (!m || m.seed !== seed) {
    const leaves = merchant.categories.filter(
      (c): c is MerchantModel['leaves'][number] => c.demand !== undefined,
    );
    const products = leaves.map((l) => merchant.products.filter((p) => p.categoryId === l.id));
    m = { merchant, seed, leaves, products, popularity: products.map((ps) => ps.map((p) => p.popularity)) };
    models.set(merchant, m);
  }
  return m;
}

function epochDayOf(d: CivilDate): number {
  return Date.UTC(d.year, d.month - 1, d.day) / DAY_MS;
}

function civilOf(epochDay: number): CivilDate {
  const t = new Date(epochDay * DAY_MS);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** The promotions of a merchant that overlap local day `epochDay`. */
export function promotionsOn(catalog: SimCatalog, merchant: SimMerchant, epochDay: number): Promotion[] {
  const block = Math.floor(epochDay / PROMO_BLOCK_DAYS);
  const parents = merchant.categories.filter((c) => c.parentCategoryId === undefined);
  const out: Promotion[] = [];
  // A promotion starts inside its 28-day block and lasts at most 6 days, so only this block and the
  // previous one can reach today; keying by block keeps each day's promotions independent of the range.
  for (const b of [block - 1, block]) {
    const rng = createPrng(catalog.seed, 'promo', merchant.id, b);
    if (!rng.chance(0.5)) continue;
    const startDay = b * PROMO_BLOCK_DAYS + rng.int(0, PROMO_BLOCK_DAYS - 1);
    const days = rng.int(2, 6);
    const target = rng.chance(0.25) ? '*' : rng.pick(parents).id;
    const lift = rng.range(1.6, 3);
    const discountPercent = rng.pick([10, 15, 20, 25, 30]);
    if (epochDay >= startDay && epochDay < startDay + days)
      out.push({ target, startDay, days, lift, discountPercent });
  }
  return out;
}

function dayModel(
  catalog: SimCatalog,
  model: MerchantModel,
  epochDay: number,
  ordersPerDay: number,
): DayModel {
  const { merchant } = model;
  const date = civilOf(epochDay);
  const startMs = startOfLocalDay(date, merchant.timezone).getTime();
  // DST days are 23 or 25 hours long: spread the day's orders over its real length.
  const lengthMs = startOfLocalDay(civilOf(epochDay + 1), merchant.timezone).getTime() - startMs;
  const rng = createPrng(catalog.seed, 'day', merchant.id, epochDay);
  const yearStart = Date.UTC(date.year, 0, 1) / DAY_MS;
  const yearLength = Date.UTC(date.year + 1, 0, 1) / DAY_MS - yearStart;
  const dayOfYear = ((epochDay - yearStart) * 365) / yearLength;
  const dow = (((epochDay + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  const years = (epochDay - TREND_ANCHOR_DAY) / 365.25;
  const promos = promotionsOn(catalog, merchant, epochDay);

  const weights: number[] = [];
  const discounts: number[] = [];
  let total = 0;
  for (const leaf of model.leaves) {
    const d = leaf.demand;
    const season = rawSeason(d.peaks, dayOfYear) / d.seasonNorm;
    const trend = Math.min(4, Math.max(0.25, Math.pow(d.growth, years)));
    let lift = 1;
    let discount = 0;
    for (const p of promos) {
      if (p.target === '*' || p.target === leaf.parentCategoryId) {
        lift *= p.lift;
        discount = Math.max(discount, p.discountPercent);
      }
    }
    const noise = Math.exp(0.12 * rng.normal() - 0.0072); // mean-one log-normal per category and day
    const w = d.mix * season * d.weekly[dow]! * trend * lift * noise;
    weights.push(w);
    discounts.push(discount);
    total += w;
  }
  return { epochDay, date, startMs, lengthMs, weights, total, lambda: ordersPerDay * total, discounts, rng };
}

function dayOrderCount(day: DayModel): number {
  // Shop-wide day noise on top of the per-category noise (weather, news, a viral post).
  const noise = Math.exp(0.15 * day.rng.normal() - 0.01125);
  return day.rng.poisson(day.lambda * noise);
}

function orderTimes(day: DayModel, count: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const hour = day.rng.weighted(HOURLY_WEIGHTS, HOURLY_TOTAL);
    const second = hour * 3600 + day.rng.next() * 3600;
    // Local midnight is quarter-hour aligned, so whole seconds from it are whole seconds in UTC too.
    times.push(day.startMs + Math.floor((second * day.lengthMs) / 86_400_000) * 1000);
  }
  return times.sort((a, b) => a - b);
}

function makeOrder(
  model: MerchantModel,
  day: DayModel,
  rng: Prng,
  placedAtMs: number,
  externalOrderId: string,
): SimOrder {
  const { merchant } = model;
  const lines = 1 + rng.weighted(LINE_COUNT_WEIGHTS);
  const primary = rng.weighted(day.weights, day.total);
  const byProduct = new Map<string, { productId: string; quantity: number; priceMinor: bigint }>();
  for (let i = 0; i < lines; i++) {
    const leaf = i === 0 || rng.chance(0.65) ? primary : rng.weighted(day.weights, day.total);
    const product = model.products[leaf]![rng.weighted(model.popularity[leaf]!)]!;
    const quantity = 1 + rng.weighted(QUANTITY_WEIGHTS);
    const existing = byProduct.get(product.id);
    if (existing) {
      existing.quantity += quantity;
      continue;
    }
    const discount = BigInt(day.discounts[leaf]!);
    byProduct.set(product.id, {
      productId: product.id,
      quantity,
      priceMinor: discount === 0n ? product.priceMinor : (product.priceMinor * (100n - discount)) / 100n,
    });
  }
  return {
    merchantId: merchant.id,
    externalOrderId,
    placedAt: new Date(placedAtMs).toISOString(),
    currency: merchant.currency,
    items: [...byProduct.values()].map((l) => ({
      productId: l.productId,
      quantity: l.quantity,
      unitPrice: formatAmount(l.priceMinor, merchant.currency),
    })),
  };
}

function compactDate(d: CivilDate): string {
  return `${d.year}${String(d.month).padStart(2, '0')}${String(d.day).padStart(2, '0')}`;
}

interface Resolved {
  readonly catalog: SimCatalog;
  readonly days: number;
  readonly ordersPerDay: number;
  readonly endMs: number;
  /** First local day of each merchant. */
  readonly firstDays: readonly number[];
}

function resolve(options: HistoryOptions): Resolved {
  const { catalog, days = 30, ordersPerDay = 50, end = new Date() } = options;
  checkInt('days', days, 0, 36_600);
  if (!Number.isFinite(ordersPerDay) || ordersPerDay < 0 || ordersPerDay > 1_000_000) {
    throw new SimulatorOptionError(`ordersPerDay must be a number in 0..1000000 (got ${ordersPerDay})`);
  }
  const endMs = end.getTime();
  if (!Number.isFinite(endMs)) throw new SimulatorOptionError('end must be a valid date');
  // The last day is the merchant's local day containing the last instant before `end`.
  const firstDays = catalog.merchants.map(
    (m) => epochDayOf(localDate(new Date(endMs - 1), m.timezone)) - days + 1,
  );
  return { catalog, days, ordersPerDay, endMs, firstDays };
}

/**
 * Generates the order history, lazily and day by day (memory stays flat for any number of days):
 * day k of every merchant, then day k+1. Every local day of a merchant is generated from its own
 * seeded generator, so the same seed yields byte-identical orders — and ids — for that day whatever
 * range is asked for; a re-run over overlapping days is therefore an idempotent replay.
 */
export function* generateHistory(options: HistoryOptions): Generator<SimOrder, void, undefined> {
  const r = resolve(options);
  const tag = seedTag(r.catalog.seed);
  for (let k = 0; k < r.days; k++) {
    for (const [i, merchant] of r.catalog.merchants.entries()) {
      const model = modelOf(merchant, r.catalog.seed);
      const day = dayModel(r.catalog, model, r.firstDays[i]! + k, r.ordersPerDay);
      if (day.startMs >= r.endMs) continue;
      const times = orderTimes(day, dayOrderCount(day));
      const prefix = `h-${tag}-${compactDate(day.date)}-`;
      for (const [seq, t] of times.entries()) {
        // Draw every order even past `end`, so the orders before it never depend on where `end` is.
        const order = makeOrder(model, day, day.rng, t, `${prefix}${String(seq + 1).padStart(5, '0')}`);
        if (t < r.endMs) yield order;
      }
    }
  }
}

/** The exact number of orders {@link generateHistory} yields for the same options, without building them. */
export function countHistory(options: HistoryOptions): number {
  const r = resolve(options);
  let count = 0;
  for (let k = 0; k < r.days; k++) {
    for (const [i, merchant] of r.catalog.merchants.entries()) {
      const model = modelOf(merchant, r.catalog.seed);
      const day = dayModel(r.catalog, model, r.firstDays[i]! + k, r.ordersPerDay);
      if (day.startMs >= r.endMs) continue;
      const n = dayOrderCount(day);
      if (day.startMs + day.lengthMs <= r.endMs) count += n;
      else count += orderTimes(day, n).filter((t) => t < r.endMs).length;
    }
  }
  return count;
}

/** Options of {@link createLiveSource}. */
export interface LiveSourceOptions {
  readonly catalog: SimCatalog;
  /** Relative volume only: merchants are picked in proportion to their demand today. @default 50 */
  readonly ordersPerDay?: number;
  /** Distinguishes runs so live order ids never repeat across runs. @default current time in base 36 */
  readonly runTag?: string;
}

/** A source of live orders stamped with the current time. */
export interface LiveSource {
  /** The next live order, placed at `nowMs`. */
  next(nowMs: number): SimOrder;
}

/** Creates a source of live orders with the same demand shape as the history, placed "now". */
export function createLiveSource(options: LiveSourceOptions): LiveSource {
  const { catalog, ordersPerDay = 50, runTag = Date.now().toString(36) } = options;
  const tag = seedTag(catalog.seed);
  const rng = createPrng(catalog.seed, 'live', runTag);
  let days: DayModel[] = [];
  let weights: number[] = [];
  let refreshedAt = -Infinity;
  let seq = 0;
  return {
    next(nowMs) {
      // Demand changes by the day; refreshing once a minute keeps the per-order cost flat for many merchants.
      if (nowMs - refreshedAt > 60_000 || nowMs < refreshedAt) {
        days = catalog.merchants.map((m, i) => {
          const epochDay = epochDayOf(localDate(new Date(nowMs), m.timezone));
          const cached = days[i];
          return cached && cached.epochDay === epochDay
            ? cached
            : dayModel(catalog, modelOf(m, catalog.seed), epochDay, ordersPerDay);
        });
        weights = days.map((d) => d.lambda + 1e-9);
        refreshedAt = nowMs;
      }
      const index = rng.weighted(weights);
      const merchant = catalog.merchants[index]!;
      seq++;
      return makeOrder(
        modelOf(merchant, catalog.seed),
        days[index]!,
        rng,
        nowMs,
        `l-${tag}-${runTag}-${String(seq).padStart(7, '0')}`,
      );
    },
  };
}
