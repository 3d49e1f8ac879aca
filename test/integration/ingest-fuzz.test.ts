import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catalogCounts,
  createIngestHarness,
  order,
  orderCounts,
  seedCatalog,
  type IngestHarness,
} from './ingest-fixtures.js';

// Hostile input must never produce a 5xx and never persist anything when refused.
let h: IngestHarness;
beforeAll(async () => {
  h = await createIngestHarness('ingfuzz');
  await seedCatalog(h);
});
afterAll(async () => h.db.drop());

const nasty = fc.constantFrom(
  "'; DROP TABLE ingestion.orders; --",
  "m1' OR '1'='1",
  '$1',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u0007',
  '__proto__',
  'constructor',
  'toString',
  '💥'.repeat(70),
  'x'.repeat(65),
  'x'.repeat(100_000),
  '',
  ' ',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x1F',
  '١٢٣',
  '19.999999999999999999999',
  '99999999999999999999999999.99',
  '2025-13-45T99:99:99Z',
  '+275760-09-13T00:00:00Z',
  '0000-01-01T00:00:00Z',
);
const hostileString = fc.oneof(
  { arbitrary: nasty, weight: 4 },
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme' }),
);
const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 53 + 1, 2 ** 63, 1e308, -1e308, Number.MIN_VALUE, 1_000_001),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 4 },
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 4 }),
  fc.array(hostileString, { maxLength: 5 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'x'), hostileString),
);

/** JSON text with raw fragments JSON.stringify cannot produce: huge numbers, duplicate and __proto__ keys, deep nesting. */
const rawFragment = fc.constantFrom(
  '123456789012345678901234567890',
  '1e400',
  '-1e400',
  '0.0000000000000000000000000001',
  '{"__proto__":{"merchantId":"m1","polluted":true}}',
  '['.repeat(20_000) + ']'.repeat(20_000),
  '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000),
);

const topLevelKeys = [
  'merchantId',
  'externalOrderId',
  'placedAt',
  'currency',
  'items',
  '__proto__',
  'constructor',
];
const itemKeys = ['productId', 'quantity', 'unitPrice', '__proto__'];

// defineProperty, not assignment: assigning "__proto__" would change the prototype instead of adding a key.
const own = (value: unknown): PropertyDescriptor => ({
  value,
  enumerable: true,
  configurable: true,
  writable: true,
});

/** Percent-encodes every UTF-8 byte (lone surrogates included, which encodeURIComponent refuses). */
const encodeSegment = (s: string): string =>
  Array.from(Buffer.from(s, 'utf8'), (b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** A valid order with one or more fields replaced by hostile values, as JSON text. */
const hostileOrder = fc
  .record({
    // Few mutations, so that the rest of the order stays valid and the input reaches the database.
    top: fc.array(fc.tuple(fc.constantFrom(...topLevelKeys), hostileValue), { maxLength: 2 }),
    item: fc.array(fc.tuple(fc.constantFrom(...itemKeys), hostileValue), { maxLength: 1 }),
    raw: fc.option(fc.tuple(fc.constantFrom(...topLevelKeys, 'extra'), rawFragment), { nil: undefined }),
    rawItem: fc.option(fc.tuple(fc.constantFrom(...itemKeys), rawFragment), { nil: undefined }),
  })
  .map(({ top, item, raw, rawItem }) => {
    const base = order(new Date());
    const firstItem: Record<string, unknown> = { ...(base.items as Record<string, unknown>[])[0] };
    for (const [k, v] of item) Object.defineProperty(firstItem, k, own(v));
    const body: Record<string, unknown> = { ...base, items: [firstItem] };
    for (const [k, v] of top) Object.defineProperty(body, k, own(v));
    let text = JSON.stringify(body);
    if (rawItem) text = text.replace('{"productId"', `{"${rawItem[0]}":${rawItem[1]},"productId"`);
    if (raw) text = `{"${raw[0]}":${raw[1]},${text.slice(1)}`;
    return text;
  });

describe('hostile input', () => {
  // Every string field of every route, one at a time, with a hostile fragment inside an otherwise
  // plausible value: the rest of the request stays valid, so the string really reaches the database.
  const fragment = fc.oneof(
    { arbitrary: fc.constantFrom('\u0000', '\ud800', '\udc00'), weight: 3 },
    fc.constantFrom(
      '\u0007',
      '\u001b',
      '\u007f',
      '\u202e',
      '\u200b',
      '\ufeff',
      "'",
      '"',
      '\\',
      '--',
      ';',
      '$1',
      '%00',
      '💥',
      'é',
    ),
  );
  const seasoned = fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9]{0,8}$/), fragment, fc.stringMatching(/^[A-Za-z0-9]{0,8}$/))
    .map(([a, f, b]) => a + f + b);
  const targets = [
    ['PUT', '/v1/merchants/fz-m', 'name'],
    ['PUT', '/v1/merchants/fz-m', 'timezone'],
    ['PUT', '/v1/merchants/fz-m', 'weekStart'],
    ['PUT', '/v1/merchants/fz-m', 'currency'],
    ['PUT', '/v1/merchants/m1/categories/fz-c', 'name'],
    ['PUT', '/v1/merchants/m1/categories/fz-c', 'parentCategoryId'],
    ['PUT', '/v1/merchants/m1/products/fz-p', 'name'],
    ['PUT', '/v1/merchants/m1/products/fz-p', 'categoryId'],
    ['POST', '/v1/orders', 'merchantId'],
    ['POST', '/v1/orders', 'externalOrderId'],
    ['POST', '/v1/orders', 'placedAt'],
    ['POST', '/v1/orders', 'currency'],
    ['POST', '/v1/orders', 'items.productId'],
    ['POST', '/v1/orders', 'items.unitPrice'],
  ] as const;
  const validBodies: Record<string, Record<string, unknown>> = {
    '/v1/merchants/fz-m': { name: 'Fuzz', timezone: 'UTC', weekStart: 'MONDAY', currency: 'EUR' },
    '/v1/merchants/m1/categories/fz-c': { name: 'Fuzz', parentCategoryId: 'root' },
    '/v1/merchants/m1/products/fz-p': { name: 'Fuzz', categoryId: 'root' },
  };

  it('string fields with control characters, surrogates, quotes or SQL never cause a 5xx or a write', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), seasoned, async ([method, path, field], value) => {
        const body: Record<string, unknown> =
          path === '/v1/orders' ? order(new Date()) : { ...validBodies[path] };
        if (field.startsWith('items.')) {
          body.items = [{ productId: 'p1', quantity: 1, unitPrice: '1.00', [field.slice(6)]: value }];
        } else body[field] = value;
        const before = { ...(await orderCounts(h.db.pool)), ...(await catalogCounts(h.db.pool)) };
        const r = await h.call(method, path, JSON.stringify(body));
        expect(r.status, `${field}=${JSON.stringify(value)}: ${JSON.stringify(r.body)}`).toBeLessThan(500);
        if (r.status >= 400) {
          expect({ ...(await orderCounts(h.db.pool)), ...(await catalogCounts(h.db.pool)) }).toEqual(before);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('POST /v1/orders never answers 5xx and persists nothing when it refuses', async () => {
    await fc.assert(
      fc.asyncProperty(hostileOrder, async (text) => {
        const before = await orderCounts(h.db.pool);
        const r = await h.call('POST', '/v1/orders', text);
        expect(r.status, JSON.stringify(r.body).slice(0, 500)).toBeLessThan(500);
        const after = await orderCounts(h.db.pool);
        if (r.status >= 400) {
          expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
          expect(after).toEqual(before);
        } else expect(after.orders - before.orders).toBeLessThanOrEqual(1);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('POST /v1/orders/batch never answers 5xx, per entry either', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileOrder, { minLength: 1, maxLength: 8 }), async (texts) => {
        const r = await h.call('POST', '/v1/orders/batch', `{"orders":[${texts.join(',')}]}`);
        expect(r.status).toBeLessThan(500);
        if (r.status === 200) {
          expect(r.body.results).toHaveLength(texts.length);
          for (const entry of r.body.results!) expect(entry.status).toBeLessThan(500);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('the catalog routes never answer 5xx and persist nothing when they refuse', async () => {
    const route = fc.constantFrom('merchant', 'category', 'product');
    // Ids are percent-encoded, except a few raw segments with broken escapes; mostly valid ones, so
    // that the body is what gets tested.
    const id = fc.oneof(
      { arbitrary: fc.constantFrom('m1', 'fz-1', 'root', 'p1', 'shoes').map(encodeSegment), weight: 4 },
      hostileString.map(encodeSegment),
      fc.constantFrom('%ZZ', '%E0%A4%A', '%00', '..', '%2e%2e', 'a%2Fb'),
    );
    const valid = {
      name: 'Fuzzed',
      timezone: 'UTC',
      weekStart: 'SUNDAY',
      currency: 'EUR',
      categoryId: 'root',
    };
    const field = fc.constantFrom(
      'name',
      'timezone',
      'weekStart',
      'currency',
      'parentCategoryId',
      'categoryId',
      '__proto__',
    );
    const timezones = fc.constantFrom(
      'Asia/Kolkata',
      '+05:30',
      'EST',
      'Etc/GMT+14',
      'utc',
      'US/Pacific-New',
      'posixrules',
    );
    const body = fc.oneof(
      {
        arbitrary: fc
          .tuple(field, fc.oneof(hostileValue, timezones))
          .map(([k, v]) => JSON.stringify(Object.defineProperty({ ...valid }, k, own(v)))),
        weight: 4,
      },
      hostileValue.map((v) => JSON.stringify(v) ?? ''),
      rawFragment.map((raw) => `{"name":${raw},"currency":"EUR"}`),
    );
    await fc.assert(
      fc.asyncProperty(route, id, id, body, async (kind, merchantId, childId, payload) => {
        const path =
          kind === 'merchant'
            ? `/v1/merchants/${merchantId}`
            : `/v1/merchants/${merchantId}/${kind === 'category' ? 'categories' : 'products'}/${childId}`;
        const before = await catalogCounts(h.db.pool);
        const r = await h.call('PUT', path, payload);
        expect(r.status, `${path} ${JSON.stringify(r.body).slice(0, 300)}`).toBeLessThan(500);
        if (r.status >= 400) expect(await catalogCounts(h.db.pool)).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });
});
