import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_ORDER_MINOR, contentHash, prepareOrder, type PreparedOrder } from './prepare.js';
import { OrderRejection } from './rejection.js';

const now = new Date('2025-11-25T12:00:00Z');
const opts = { now, maxFutureMs: 300_000 };
const base = {
  merchantId: 'm-1',
  externalOrderId: 'ext-1',
  placedAt: '2025-11-25T10:00:00Z',
  currency: 'EUR',
  items: [
    { productId: 'p1', quantity: 2, unitPrice: '19.99' },
    { productId: 'p2', quantity: 1, unitPrice: '5' },
  ],
};

function ok(raw: unknown): PreparedOrder {
  const result = prepareOrder(raw, opts);
  if (result instanceof OrderRejection) throw new Error(`unexpected rejection: ${result.message}`);
  return result;
}

function rejected(raw: unknown, prefix = ''): OrderRejection {
  const result = prepareOrder(raw, { ...opts, fieldPrefix: prefix });
  if (!(result instanceof OrderRejection)) throw new Error('expected a rejection');
  return result;
}

describe('prepareOrder', () => {
  it('parses amounts into minor units and totals them', () => {
    const order = ok(base);
    expect(order.lines.map((l) => [l.lineNo, l.unitPriceMinor, l.amountMinor])).toEqual([
      [1, 1999n, 3998n],
      [2, 500n, 500n],
    ]);
    expect(order.totalMinor).toBe(4498n);
    expect(order.placedAt.toISOString()).toBe('2025-11-25T10:00:00.000Z');
    expect(order.amountErrors).toEqual([]);
  });

  it('defaults placedAt to now and leaves it out of the hash', () => {
    const { placedAt: _, ...rest } = base;
    const a = ok(rest);
    const b = prepareOrder(rest, { ...opts, now: new Date(now.getTime() + 60_000) }) as PreparedOrder;
    expect(a.placedAt).toEqual(now);
    expect(a.placedAtGiven).toBe(false);
    expect(a.contentHash).toBe(b.contentHash);
  });

  it.each<[string, unknown, string]>([
    ['merchantId', { ...base, merchantId: 'bad id' }, 'merchantId'],
    ['merchantId missing', { ...base, merchantId: undefined }, 'merchantId'],
    ['externalOrderId NUL', { ...base, externalOrderId: 'a\u0000b' }, 'externalOrderId'],
    ['externalOrderId too long', { ...base, externalOrderId: 'x'.repeat(129) }, 'externalOrderId'],
    ['currency', { ...base, currency: 'XXY' }, 'currency'],
    ['placedAt format', { ...base, placedAt: '2025-11-25 10:00' }, 'placedAt'],
    ['placedAt local', { ...base, placedAt: '2025-11-25T10:00:00' }, 'placedAt'],
    ['items empty', { ...base, items: [] }, 'items'],
    ['items not array', { ...base, items: {} }, 'items'],
    [
      'quantity zero',
      { ...base, items: [{ productId: 'p', quantity: 0, unitPrice: '1' }] },
      'items.0.quantity',
    ],
    [
      'quantity fraction',
      { ...base, items: [{ productId: 'p', quantity: 1.5, unitPrice: '1' }] },
      'items.0.quantity',
    ],
    [
      'quantity huge',
      { ...base, items: [{ productId: 'p', quantity: 1e300, unitPrice: '1' }] },
      'items.0.quantity',
    ],
    [
      'unitPrice number',
      { ...base, items: [{ productId: 'p', quantity: 1, unitPrice: 19.99 }] },
      'items.0.unitPrice',
    ],
    [
      'unitPrice negative',
      { ...base, items: [{ productId: 'p', quantity: 1, unitPrice: '-1' }] },
      'items.0.unitPrice',
    ],
    [
      'unitPrice exponent',
      { ...base, items: [{ productId: 'p', quantity: 1, unitPrice: '1e3' }] },
      'items.0.unitPrice',
    ],
    [
      'productId',
      { ...base, items: [{ productId: "p'; DROP TABLE x;--", quantity: 1, unitPrice: '1' }] },
      'items.0.productId',
    ],
    ['body not object', [1, 2, 3], '(body)'],
    ['body null', null, '(body)'],
  ])('rejects %s with a 400 naming %s', (_, raw, field) => {
    const r = rejected(raw);
    expect(r.status).toBe(400);
    expect(r.errors.map((e) => e.field)).toContain(field);
  });

  // Well-formed date-times the schema cannot rule out (they depend on the clock): 422, not 400.
  it.each([
    ['in the future beyond the limit', '2025-11-25T12:05:01Z'],
    ['before 1970', '1969-12-31T23:59:59Z'],
  ])('rejects a placedAt %s with a 422 naming placedAt', (_, placedAt) => {
    const r = rejected({ ...base, placedAt });
    expect(r.status).toBe(422);
    expect(r.errors.map((e) => e.field)).toEqual(['placedAt']);
  });

  it('accepts placedAt up to the future limit', () => {
    expect(ok({ ...base, placedAt: '2025-11-25T12:05:00Z' }).placedAt.toISOString()).toBe(
      '2025-11-25T12:05:00.000Z',
    );
  });

  it('prefixes field names inside a batch', () => {
    expect(rejected({ ...base, currency: 1 }, 'orders.7').errors[0]!.field).toBe('orders.7.currency');
  });

  it('refuses more than 1000 items without walking them', () => {
    const items = Array.from({ length: 5000 }, () => 'x');
    const r = rejected({ ...base, items });
    expect(r.errors).toEqual([{ field: 'items', message: expect.stringMatching(/at most 1000/) as string }]);
  });

  it('caps the number of reported field errors', () => {
    const items = Array.from({ length: 1000 }, () => ({ productId: '', quantity: -1, unitPrice: 'x' }));
    const r = rejected({ ...base, items });
    expect(r.errors).toHaveLength(50);
    expect(r.omittedErrors).toBeGreaterThan(0);
    expect(r.message).toMatch(/and \d+ more$/);
  });

  it.each([
    ['19.999', 'EUR', 'amount_precision'],
    ['1.5', 'JPY', 'amount_precision'],
    ['999999999999999999', 'EUR', 'amount_overflow'],
    // 1000 x 100,000,000.01 EUR = 10^13 + 1000 cents: just above the per-order maximum.
    ['100000000.01', 'EUR', 'amount_overflow'],
  ])('defers %s %s as a 422 %s', (unitPrice, currency, reason) => {
    const order = ok({ ...base, currency, items: [{ productId: 'p', quantity: 1000, unitPrice }] });
    expect(order.amountErrors.map((e) => e.field)).toEqual(['items.0.unitPrice']);
    expect(order.amountReason).toBe(reason);
  });

  it('accepts an order of exactly the maximum and refuses a total above it from lines below it', () => {
    // 1000 x 100,000,000.00 EUR = 10^13 cents, the largest accepted amount.
    const max = ok({ ...base, items: [{ productId: 'p', quantity: 1000, unitPrice: '100000000.00' }] });
    expect(max.amountErrors).toEqual([]);
    expect(max.totalMinor).toBe(MAX_ORDER_MINOR);
    const two = ok({
      ...base,
      items: [
        { productId: 'p', quantity: 1000, unitPrice: '60000000.00' },
        { productId: 'q', quantity: 1000, unitPrice: '60000000.00' },
      ],
    });
    expect(two.amountErrors.map((e) => e.field)).toEqual(['items']);
    expect(two.amountErrors[0]?.message).toMatch(/order total exceeds/);
    expect(two.amountReason).toBe('amount_overflow');
  });
});

describe('contentHash', () => {
  const hashOf = (raw: unknown) => ok(raw).contentHash;

  it.each<[string, unknown]>([
    ['an equivalent decimal', { ...base, items: [base.items[0], { ...base.items[1], unitPrice: '5.00' }] }],
    ['another spelling of the instant', { ...base, placedAt: '2025-11-25T11:00:00+01:00' }],
    ['unknown extra fields', { ...base, note: 'hi', items: base.items.map((i) => ({ ...i, x: 1 })) }],
  ])('is equal for %s', (_, raw) => {
    expect(hashOf(raw)).toBe(hashOf(base));
  });

  it.each<[string, unknown]>([
    ['a different price', { ...base, items: [{ ...base.items[0], unitPrice: '19.98' }, base.items[1]] }],
    ['a different quantity', { ...base, items: [{ ...base.items[0], quantity: 3 }, base.items[1]] }],
    ['swapped lines', { ...base, items: [base.items[1], base.items[0]] }],
    ['a different placedAt', { ...base, placedAt: '2025-11-25T10:00:00.001Z' }],
    ['a different currency', { ...base, currency: 'USD' }],
    ['a different external id', { ...base, externalOrderId: 'ext-2' }],
  ])('differs for %s', (_, raw) => {
    expect(hashOf(raw)).not.toBe(hashOf(base));
  });

  it('is injective over field boundaries (property)', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9._:-]{1,8}$/);
    fc.assert(
      fc.property(id, id, id, id, (m1, e1, m2, e2) => {
        fc.pre(m1 !== m2 || e1 !== e2);
        const order = (merchantId: string, externalOrderId: string) => ({
          merchantId,
          externalOrderId,
          placedAt: null,
          currency: 'EUR',
          lines: [{ productId: 'p', quantity: 1, unitPriceMinor: 1n }],
        });
        return contentHash(order(m1, e1)) !== contentHash(order(m2, e2));
      }),
    );
  });
});
