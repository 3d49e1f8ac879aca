import type { WeekStart } from '../buckets/index.js';
import { PLATFORM_ID_PATTERN, platformIdPattern, platformIdRule } from '../catalog/index.js';
import { currencyExponent } from '../money/index.js';
import { createPrng, type Prng } from './prng.js';
import {
  CATEGORY_TEMPLATES,
  MERCHANT_TEMPLATES,
  PRODUCT_ADJECTIVES,
  type CategoryTemplate,
  type SeasonalPeak,
} from './templates.js';

/** How a leaf category's demand behaves; used by the order generator, never sent to ingest. */
export interface DemandModel {
  /** Key of the category family (toys, garden, ...). */
  readonly family: string;
  /** Share of the merchant's orders at baseline (all leaves of a merchant sum to 1). */
  readonly mix: number;
  /** True for a deliberately rare category (many days without a sale). */
  readonly intermittent: boolean;
  /** Seasonal peaks, already shifted for the merchant's hemisphere and scaled for this leaf. */
  readonly peaks: readonly SeasonalPeak[];
  /** Divides the yearly curve so that it averages 1 over a year. */
  readonly seasonNorm: number;
  /** Demand by day of week, Sunday first, averaging 1. */
  readonly weekly: readonly number[];
  /** Yearly growth factor of this leaf (1.1 = +10 % a year). */
  readonly growth: number;
}

/** A category as the platform owns it; `demand` is set on leaves (the only ones with products). */
export interface SimCategory {
  readonly id: string;
  readonly name: string;
  readonly parentCategoryId?: string;
  readonly demand?: DemandModel;
}

/** A product with its list price in minor units of the merchant's currency. */
export interface SimProduct {
  readonly id: string;
  readonly name: string;
  readonly categoryId: string;
  readonly priceMinor: bigint;
  /** Relative popularity inside its category. */
  readonly popularity: number;
}

/** A simulated merchant with its catalog. */
export interface SimMerchant {
  readonly id: string;
  readonly name: string;
  readonly timezone: string;
  readonly weekStart: WeekStart;
  readonly currency: string;
  readonly southern: boolean;
  /** Parents first, then their children. */
  readonly categories: readonly SimCategory[];
  readonly products: readonly SimProduct[];
}

/** The whole simulated catalog. */
export interface SimCatalog {
  readonly seed: string;
  readonly merchants: readonly SimMerchant[];
}

/** Options of {@link generateCatalog}; every field has a default. */
export interface CatalogOptions {
  /** Seed of every random choice. @default "catcast" */
  readonly seed?: string;
  /** Number of merchants. @default 3 */
  readonly merchants?: number;
  /** Top-level categories per merchant (1..8). @default 4 */
  readonly parentsPerMerchant?: number;
  /** Leaf categories per top-level category (1..5). @default 3 */
  readonly childrenPerParent?: number;
  /** Products per leaf category (1..99). @default 5 */
  readonly productsPerCategory?: number;
  /** Prefix of merchant ids, so several simulations can share one database. @default "sim" */
  readonly merchantPrefix?: string;
}

/** Raised when simulator options are out of range; the message names the option and the value. */
export class SimulatorOptionError extends RangeError {
  override name = 'SimulatorOptionError';
}

/** Checks that `value` is an integer in [min, max], naming `option` otherwise. */
export function checkInt(option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SimulatorOptionError(`${option} must be an integer in ${min}..${max} (got ${value})`);
  }
  return value;
}

const DAYS_PER_YEAR = 365;

/** Longest merchant prefix: generated ids append a suffix and must stay platform ids. */
export const MERCHANT_PREFIX_MAX = 40;

/** What a merchant prefix may be: platform-id characters, at most {@link MERCHANT_PREFIX_MAX}. */
export const MERCHANT_PREFIX_PATTERN = platformIdPattern(MERCHANT_PREFIX_MAX);

/** Builds a deterministic catalog: the same options always give the same merchants, categories and products. */
export function generateCatalog(options: CatalogOptions = {}): SimCatalog {
  const {
    seed = 'catcast',
    merchants = 3,
    parentsPerMerchant = 4,
    childrenPerParent = 3,
    productsPerCategory = 5,
    merchantPrefix = 'sim',
  } = options;
  checkInt('merchants', merchants, 1, 100_000);
  checkInt('parentsPerMerchant', parentsPerMerchant, 1, CATEGORY_TEMPLATES.length);
  checkInt('childrenPerParent', childrenPerParent, 1, 5);
  checkInt('productsPerCategory', productsPerCategory, 1, 99);
  if (!MERCHANT_PREFIX_PATTERN.test(merchantPrefix)) {
    throw new SimulatorOptionError(
      `merchantPrefix ${platformIdRule(MERCHANT_PREFIX_MAX)} (got ${JSON.stringify(merchantPrefix)})`,
    );
  }
  const out: SimMerchant[] = [];
  for (let i = 0; i < merchants; i++) {
    out.push(
      generateMerchant(seed, i, {
        parentsPerMerchant,
        childrenPerParent,
        productsPerCategory,
        merchantPrefix,
      }),
    );
  }
  return { seed, merchants: out };
}

function generateMerchant(
  seed: string,
  index: number,
  o: {
    parentsPerMerchant: number;
    childrenPerParent: number;
    productsPerCategory: number;
    merchantPrefix: string;
  },
): SimMerchant {
  const template = MERCHANT_TEMPLATES[index % MERCHANT_TEMPLATES.length]!;
  const round = Math.floor(index / MERCHANT_TEMPLATES.length);
  const id = `${o.merchantPrefix}-${template.key}${round === 0 ? '' : `-${round + 1}`}`;
  // Keyed by merchant id, not by the merchant count, so merchant k is the same whether 3 or 50 are asked for.
  const rng = createPrng(seed, 'catalog', id);
  const exponent = currencyExponent(template.currency);
  const merchantGrowth = rng.range(0.95, 1.3);

  const families = rng.shuffle(CATEGORY_TEMPLATES).slice(0, o.parentsPerMerchant);
  const categories: SimCategory[] = [];
  const leaves: {
    category: SimCategory & { demand: DemandModel };
    priceUsd: readonly [number, number];
    noun: string;
  }[] = [];
  const familyShare = families.map(() => Math.exp(rng.normal() * 0.5));
  for (const [f, family] of families.entries()) {
    categories.push({ id: family.key, name: family.name });
    const children = rng.shuffle(family.children).slice(0, o.childrenPerParent);
    for (const child of children) {
      const peaks = scalePeaks(family, template.southern, rng.range(0.7, 1.3));
      const category = {
        id: `${family.key}.${child.key}`,
        name: child.name,
        parentCategoryId: family.key,
        demand: {
          family: family.key,
          mix: familyShare[f]! * rng.range(0.4, 1.6),
          intermittent: false,
          peaks,
          seasonNorm: seasonNorm(peaks),
          weekly: normalise(family.weekly.map((w) => w * rng.range(0.92, 1.08))),
          growth: merchantGrowth * rng.range(0.9, 1.1),
        },
      };
      leaves.push({ category, priceUsd: child.priceUsd, noun: child.noun });
    }
  }
  // One leaf per merchant (when it has several) sells rarely: forecasting needs intermittent series.
  const rareIndex = leaves.length > 1 ? rng.int(0, leaves.length - 1) : -1;
  const RARE_MIX = 0.004;
  const regularTotal = leaves.reduce((s, l, i) => (i === rareIndex ? s : s + l.category.demand.mix), 0);
  for (const [i, leaf] of leaves.entries()) {
    const d = leaf.category.demand;
    const mix = i === rareIndex ? RARE_MIX : (d.mix / regularTotal) * (rareIndex >= 0 ? 1 - RARE_MIX : 1);
    leaf.category = { ...leaf.category, demand: { ...d, mix, intermittent: i === rareIndex } };
  }
  // Parents first so a plain in-order sync never references a parent that does not exist yet.
  for (const leaf of leaves) categories.push(leaf.category);

  const products: SimProduct[] = [];
  for (const leaf of leaves) {
    const ranks = rng.shuffle(Array.from({ length: o.productsPerCategory }, (_, k) => k + 1));
    for (let p = 0; p < o.productsPerCategory; p++) {
      const usd = leaf.priceUsd[0] * Math.pow(leaf.priceUsd[1] / leaf.priceUsd[0], rng.next());
      products.push({
        id: `${leaf.category.id}.p${String(p + 1).padStart(2, '0')}`,
        name: `${rng.pick(PRODUCT_ADJECTIVES)} ${leaf.noun} ${String(p + 1).padStart(2, '0')}`,
        categoryId: leaf.category.id,
        priceMinor: localPrice(usd * template.fx, exponent, rng),
        popularity: 1 / Math.pow(ranks[p]!, 0.9),
      });
    }
  }
  for (const c of categories) assertId(c.id);
  for (const p of products) assertId(p.id);
  assertId(id);
  return {
    id,
    name: round === 0 ? template.name : `${template.name} ${round + 1}`,
    timezone: template.timezone,
    weekStart: template.weekStart,
    currency: template.currency,
    southern: template.southern,
    categories,
    products,
  };
}

function assertId(id: string): void {
  if (!PLATFORM_ID_PATTERN.test(id))
    throw new Error(`generated id ${JSON.stringify(id)} does not match ${PLATFORM_ID_PATTERN}`);
}

function scalePeaks(family: CategoryTemplate, southern: boolean, scale: number): SeasonalPeak[] {
  // Weather-driven seasons flip by half a year south of the equator; holidays do not.
  const shift = southern && family.weather ? 182 : 0;
  return family.peaks.map((p) => ({
    peak: (p.peak + shift) % DAYS_PER_YEAR,
    width: p.width,
    amp: p.amp * scale,
  }));
}

/** Yearly demand multiplier before normalisation, at day of year `day` (0-based, 365-day scale). */
export function rawSeason(peaks: readonly SeasonalPeak[], day: number): number {
  let v = 1;
  for (const p of peaks) {
    let d = Math.abs(day - p.peak);
    d = Math.min(d, DAYS_PER_YEAR - d); // circular: December 31st is next to January 1st
    v += p.amp * Math.exp(-(d * d) / (2 * p.width * p.width));
  }
  return v;
}

function seasonNorm(peaks: readonly SeasonalPeak[]): number {
  let sum = 0;
  for (let d = 0; d < DAYS_PER_YEAR; d++) sum += rawSeason(peaks, d);
  return sum / DAYS_PER_YEAR;
}

function normalise(values: readonly number[]): number[] {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return values.map((v) => v / mean);
}

/** Rounds a local price to what a shop would print: ¥1,980, €24.99, 4.750 KWD. */
function localPrice(major: number, exponent: number, rng: Prng): bigint {
  if (exponent === 0) return BigInt(Math.max(10, Math.round(major / 10) * 10));
  if (exponent === 2) {
    const cents = rng.pick([99, 99, 49, 95, 0]);
    return BigInt(Math.max(0, Math.floor(major)) * 100 + cents) || 99n;
  }
  const step = 250 * 10 ** (exponent - 3);
  return BigInt(Math.max(step, Math.round((major * 10 ** exponent) / step) * step));
}
