/**
 * The fields the UI reads from each response, as a checkable spec. `Spec<T>` makes TypeScript
 * demand an entry for every field of the UI's type, so the spec cannot drift from types.ts; the
 * integration test checks live responses and the services' /openapi.json against it, so a
 * changed API fails the build's tests, not the merchant's page.
 */
import type {
  CategoryPath,
  CategorySales,
  CompareModels,
  ForecastTop,
  MerchantDetail,
  MerchantList,
  ModelCatalog,
  Nowcast,
  TopCategories,
} from './types.js';

/**
 * A field: "string", "number", "integer", "boolean" or "null" joined with "|", prefixed with "?"
 * when it may be absent; or a nested object spec; or `[spec]` for an array of spec.
 */
export type FieldSpec = string | { readonly [key: string]: FieldSpec } | readonly [FieldSpec];

/** A spec with one entry per key of T (optional keys too: they are written with a "?" type). */
export type Spec<T> = { readonly [K in keyof T]-?: FieldSpec };

const metrics = {
  mase: 'number|null',
  wape: 'number|null',
  smape: 'number|null',
  coverage80: '?number|null',
  coverage95: '?number|null',
  ratioToSeasonalNaive: '?number|null',
} as const;
const amount = 'string|number';
const freshness = { lastAppliedAt: 'string|null', lagSeconds: 'number|null', stale: 'boolean' } as const;
const merchant = {
  id: 'string',
  name: 'string',
  timezone: 'string',
  weekStart: 'string',
  currency: 'string',
};

/** GET /api/merchants. */
export const merchantListSpec: Spec<MerchantList> = { merchants: [merchant] };

/** GET /api/merchants/{id}. */
export const merchantDetailSpec: Spec<MerchantDetail> = {
  ...merchant,
  eventsApplied: '?string',
  currentBuckets: '?',
  asOf: '?string|null',
  freshness: { ...freshness },
};

/** GET /api/top-categories. */
export const topCategoriesSpec: Spec<TopCategories> = {
  merchantId: 'string',
  currency: 'string',
  bucketType: 'string',
  bucketStart: 'string',
  bucketEnd: 'string',
  periodTotal: '?string',
  previousPeriodTotal: '?string',
  comparison: '?',
  categoryCount: '?integer',
  asOf: 'string|null',
  freshness,
  categories: [
    {
      rank: 'integer',
      categoryId: 'string',
      name: 'string',
      parentCategoryId: 'string|null',
      parentName: '?string|null',
      total: 'string',
      totalMinor: 'string',
      orderCount: 'integer',
      itemCount: 'integer',
      share: 'number',
      previousTotal: 'string',
      previousTotalMinor: 'string',
    },
  ],
};

/** GET /api/category-sales (totals as `totals` or as `points`). */
export const categorySalesSpec: Spec<CategorySales> = {
  merchantId: 'string',
  currency: 'string',
  bucketType: 'string',
  buckets: ['string'],
  series: [{ categoryId: 'string', name: 'string', totals: '?', points: '?' }],
};

/** GET /forecast/top-categories. */
export const forecastTopSpec: Spec<ForecastTop> = {
  merchantId: 'string',
  currency: 'string',
  bucketType: 'string',
  targetBucketStart: 'string',
  targetBucketEnd: '?string',
  model: 'string',
  source: 'string',
  generatedAt: 'string|null',
  runId: 'string|null',
  stale: 'boolean',
  reason: '?string|null',
  categories: [
    {
      rank: 'integer',
      categoryId: 'string',
      name: 'string',
      parentCategoryId: 'string|null',
      forecast: amount,
      forecastMinor: '?string',
      lo80: amount,
      hi80: amount,
      lo95: amount,
      hi95: amount,
      model: 'string',
      modelVersion: 'string',
      effectiveModel: '?string',
      fallbackFrom: '?string|null',
      fallbackReason: '?string|null',
      metrics: { ...metrics },
    },
  ],
};

/** GET /forecast/compare-models. */
export const compareModelsSpec: Spec<CompareModels> = {
  merchantId: 'string',
  currency: 'string',
  bucketType: 'string',
  targetBucketStart: 'string',
  generatedAt: 'string|null',
  source: 'string',
  stale: '?boolean',
  reason: '?string|null',
  categories: [
    {
      categoryId: 'string',
      name: 'string',
      winner: 'string|null',
      models: [
        {
          model: 'string',
          modelVersion: 'string',
          forecast: amount,
          lo80: amount,
          hi80: amount,
          lo95: amount,
          hi95: amount,
          metrics: { ...metrics },
          ratioToSeasonalNaive: '?number|null',
          horizons: '?',
        },
      ],
    },
  ],
};

/** GET /forecast/nowcast. */
export const nowcastSpec: Spec<Nowcast> = {
  bucketStart: 'string',
  model: 'string',
  categories: [
    {
      categoryId: 'string',
      soFar: 'string',
      nowcast: 'string|null',
      lo80: 'string|null',
      hi80: 'string|null',
    },
  ],
};

/** GET /forecast/models. */
export const modelCatalogSpec: Spec<ModelCatalog> = {
  models: [{ name: 'string', version: 'string', description: 'string' }],
};

function parse(tag: string): { optional: boolean; types: string[] } {
  const optional = tag.startsWith('?');
  const rest = optional ? tag.slice(1) : tag;
  return { optional, types: rest ? rest.split('|') : [] };
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Lists where `value` does not match `spec` ("$.categories[0].rank: expected integer, got string"). */
export function checkValue(value: unknown, spec: FieldSpec, path = '$'): string[] {
  if (typeof spec === 'string') {
    const { optional, types } = parse(spec);
    if (value === undefined) return optional ? [] : [`${path}: missing`];
    const t = typeOf(value);
    if (types.length === 0 || types.includes(t) || (t === 'integer' && types.includes('number'))) return [];
    if (
      types.some(
        (x) => x !== 'null' && x !== 'string' && x !== 'number' && x !== 'integer' && x !== 'boolean',
      )
    )
      return [];
    return [`${path}: expected ${types.join('|')}, got ${t}`];
  }
  if (Array.isArray(spec)) {
    if (!Array.isArray(value)) return [`${path}: expected an array, got ${typeOf(value)}`];
    return value.slice(0, 50).flatMap((v, i) => checkValue(v, spec[0] as FieldSpec, `${path}[${i}]`));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    // A nested object may itself be nullable, e.g. metrics of a series too short to backtest.
    return value === null && path.endsWith('.metrics')
      ? []
      : [`${path}: expected an object, got ${typeOf(value)}`];
  }
  const obj = value as Record<string, unknown>;
  return Object.entries(spec as Record<string, FieldSpec>).flatMap(([k, s]) =>
    checkValue(obj[k], s, `${path}.${k}`),
  );
}

/** A JSON Schema node of an OpenAPI 3.x document (the parts this check reads). */
interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly nullable?: boolean;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
}

function resolve(doc: unknown, s: JsonSchema): JsonSchema {
  let cur = s;
  for (let i = 0; cur.$ref && i < 20; i++) {
    const parts = cur.$ref.replace(/^#\//, '').split('/');
    cur = parts.reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], doc) as JsonSchema;
  }
  return cur;
}

function schemaTypes(doc: unknown, s: JsonSchema): Set<string> {
  const r = resolve(doc, s);
  const out = new Set<string>();
  const t = r.type;
  if (typeof t === 'string') out.add(t);
  else if (t) t.forEach((x) => out.add(x));
  if (r.nullable) out.add('null');
  for (const alt of [...(r.anyOf ?? []), ...(r.oneOf ?? [])])
    schemaTypes(doc, alt).forEach((x) => out.add(x));
  if (!t && r.properties) out.add('object');
  return out;
}

function properties(
  doc: unknown,
  s: JsonSchema,
): { props: Record<string, JsonSchema>; required: Set<string> } {
  const r = resolve(doc, s);
  const props: Record<string, JsonSchema> = { ...(r.properties ?? {}) };
  const required = new Set(r.required ?? []);
  for (const part of [...(r.allOf ?? []), ...(r.anyOf ?? []), ...(r.oneOf ?? [])]) {
    const sub = properties(doc, part);
    Object.assign(props, sub.props);
    if (r.allOf?.includes(part)) sub.required.forEach((x) => required.add(x));
  }
  return { props, required };
}

/**
 * Lists where an OpenAPI response schema cannot satisfy `spec`: a field the UI needs that the
 * schema lacks or does not require, or whose type the UI does not accept.
 */
export function checkSchema(doc: unknown, schema: JsonSchema, spec: FieldSpec, path = '$'): string[] {
  if (typeof spec === 'string') {
    const { types } = parse(spec);
    if (types.length === 0) return [];
    const have = schemaTypes(doc, schema);
    if (have.size === 0) return [];
    const ok = [...have].every(
      (t) =>
        types.includes(t) ||
        (t === 'integer' && types.includes('number')) ||
        (t === 'number' && types.includes('integer')),
    );
    return ok ? [] : [`${path}: schema allows ${[...have].join('|')}, the UI accepts ${types.join('|')}`];
  }
  if (Array.isArray(spec)) {
    const r = resolve(doc, schema);
    if (!r.items) return [`${path}: schema is not an array`];
    return checkSchema(doc, r.items, spec[0] as FieldSpec, `${path}[]`);
  }
  const { props, required } = properties(doc, schema);
  return Object.entries(spec as Record<string, FieldSpec>).flatMap(([k, s]) => {
    const optional = typeof s === 'string' && s.startsWith('?');
    const prop = props[k];
    if (!prop) return optional ? [] : [`${path}.${k}: not in the schema`];
    if (!optional && !required.has(k))
      return [`${path}.${k}: the UI needs it but the schema does not require it`];
    return checkSchema(doc, prop, s, `${path}.${k}`);
  });
}

const horizonAccuracy = {
  step: 'integer',
  wape: 'number|null',
  maeMinor: 'number|null',
  errors: 'integer',
} as const;

/** GET /forecast/category-path. */
export const categoryPathSpec: Spec<CategoryPath> = {
  merchantId: 'string',
  currency: 'string',
  bucketType: 'string',
  categoryId: 'string',
  name: 'string',
  children: ['string'],
  model: 'string',
  horizon: 'integer',
  targetBucketStart: 'string',
  source: 'string',
  reason: '?string|null',
  steps: [
    {
      step: 'integer',
      bucketStart: 'string',
      forecast: amount,
      lo80: amount,
      hi80: amount,
      lo95: amount,
      hi95: amount,
      accuracy: { ...horizonAccuracy },
    },
  ],
};
