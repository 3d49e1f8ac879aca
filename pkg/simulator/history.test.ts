import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { localDate, formatDate } from '../buckets/index.js';
import { currencyExponent } from '../money/index.js';
import { generateCatalog, type SimMerchant } from './catalog.js';
import { countHistory, createLiveSource, generateHistory, promotionsOn, type SimOrder } from './history.js';

const END = new Date('2026-01-10T12:34:56Z');

function digest(orders: Iterable<SimOrder>): string {
  const h = createHash('sha256');
  for (const o of orders) h.update(JSON.stringify(o)).update('\n');
  return h.digest('hex');
}

/** Item-line counts per leaf category and local month of one merchant. */
function linesByCategoryMonth(orders: Iterable<SimOrder>, m: SimMerchant): Map<string, number> {
  const categoryOf = new Map(m.products.map((p) => [p.id, p.categoryId]));
  const out = new Map<string, number>();
  for (const o of orders) {
    if (o.merchantId !== m.id) continue;
    const month = formatDate(localDate(new Date(o.placedAt), m.timezone)).slice(0, 7);
    for (const item of o.items) {
      const key = `${categoryOf.get(item.productId)!.split('.')[0]}|${month}`;
      out.set(key, (out.get(key) ?? 0) + item.quantity);
    }
  }
  return out;
}

describe('generateHistory', () => {
  const catalog = generateCatalog({ seed: 'hist', merchants: 3 });

  it('yields a byte-identical stream, ids included, for the same seed', () => {
    const a = digest(generateHistory({ catalog, days: 20, end: END }));
    const b = digest(
      generateHistory({ catalog: generateCatalog({ seed: 'hist', merchants: 3 }), days: 20, end: END }),
    );
    expect(b).toBe(a);
  });

  it('yields a different stream for a different seed', () => {
    const other = generateCatalog({ seed: 'hist-2', merchants: 3 });
    expect(digest(generateHistory({ catalog: other, days: 20, end: END }))).not.toBe(
      digest(generateHistory({ catalog, days: 20, end: END })),
    );
  });

  it('generates each local day the same whatever range is asked for (re-runs replay idempotently)', () => {
    const long = [...generateHistory({ catalog, days: 12, end: END })];
    const short = [...generateHistory({ catalog, days: 5, end: END })];
    const key = (o: SimOrder) => `${o.merchantId}/${o.externalOrderId}`;
    const longByKey = new Map(long.map((o) => [key(o), JSON.stringify(o)]));
    expect(short.length).toBeGreaterThan(0);
    for (const o of short) expect(longByKey.get(key(o))).toBe(JSON.stringify(o));
    // An earlier end only cuts the last day short: everything before it is unchanged.
    const earlier = [...generateHistory({ catalog, days: 5, end: new Date(END.getTime() - 3 * 3_600_000) })];
    for (const o of earlier) expect(longByKey.get(key(o))).toBe(JSON.stringify(o));
  });

  it('counts exactly what it generates', () => {
    const options = { catalog, days: 15, ordersPerDay: 40, end: END };
    expect(countHistory(options)).toBe([...generateHistory(options)].length);
  });

  it('produces valid orders: unique ids, placed before end on the right local days, decimals of the currency', () => {
    const orders = [...generateHistory({ catalog, days: 10, end: END })];
    const byMerchant = new Map(catalog.merchants.map((m) => [m.id, m]));
    const ids = new Set<string>();
    for (const o of orders) {
      const m = byMerchant.get(o.merchantId)!;
      expect(o.externalOrderId).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
      expect(ids.has(`${o.merchantId}/${o.externalOrderId}`)).toBe(false);
      ids.add(`${o.merchantId}/${o.externalOrderId}`);
      const placed = new Date(o.placedAt);
      expect(placed.getTime()).toBeLessThan(END.getTime());
      // The id carries the merchant's local date of the order.
      expect(o.externalOrderId.split('-')[2]).toBe(
        formatDate(localDate(placed, m.timezone)).replaceAll('-', ''),
      );
      expect(o.currency).toBe(m.currency);
      expect(o.items.length).toBeGreaterThan(0);
      expect(new Set(o.items.map((i) => i.productId)).size).toBe(o.items.length);
      const exp = currencyExponent(o.currency);
      for (const item of o.items) {
        expect(Number.isInteger(item.quantity) && item.quantity >= 1).toBe(true);
        expect(item.unitPrice).toMatch(exp === 0 ? /^\d+$/ : new RegExp(`^\\d+\\.\\d{${exp}}$`));
        expect(m.products.some((p) => p.id === item.productId)).toBe(true);
      }
    }
    const days = new Set(orders.map((o) => `${o.merchantId}|${o.externalOrderId.split('-')[2]}`));
    expect(days.size).toBe(30); // 3 merchants x 10 local days, each with orders at 50/day
  });

  it('prices JPY orders without decimals', () => {
    const tokyo = catalog.merchants.find((m) => m.currency === 'JPY')!;
    const orders = [...generateHistory({ catalog, days: 3, end: END })].filter(
      (o) => o.merchantId === tokyo.id,
    );
    expect(orders.length).toBeGreaterThan(0);
    for (const o of orders) for (const i of o.items) expect(i.unitPrice).not.toContain('.');
  });

  describe('demand shapes', () => {
    // Every family in every merchant, one full year ending 2026-01-01.
    const all = generateCatalog({ seed: 'shape', merchants: 3, parentsPerMerchant: 8 });
    const year = [
      ...generateHistory({
        catalog: all,
        days: 365,
        ordersPerDay: 80,
        end: new Date('2026-01-01T00:00:00Z'),
      }),
    ];
    const north = all.merchants.find((m) => !m.southern)!;
    const south = all.merchants.find((m) => m.southern)!;
    const northLines = linesByCategoryMonth(year, north);
    const southLines = linesByCategoryMonth(year, south);

    it.each([
      ['toys', '2025-12', '2025-07', 2],
      ['electronics', '2025-11', '2025-03', 1.3],
      ['garden', '2025-04', '2025-10', 1.5],
    ])('northern %s sells more in %s than in %s (ratio > %s)', (family, high, low, ratio) => {
      expect(northLines.get(`${family}|${high}`)! / northLines.get(`${family}|${low}`)!).toBeGreaterThan(
        ratio,
      );
    });

    it('flips weather seasons but not holidays in the southern hemisphere', () => {
      expect(southLines.get('garden|2025-10')!).toBeGreaterThan(southLines.get('garden|2025-04')! * 1.5);
      expect(southLines.get('toys|2025-12')!).toBeGreaterThan(southLines.get('toys|2025-07')! * 2);
    });

    it('has an intermittent category with many days without a sale', () => {
      const rare = north.categories.find((c) => c.demand?.intermittent)!;
      const products = new Set(north.products.filter((p) => p.categoryId === rare.id).map((p) => p.id));
      const daysWithSales = new Set(
        year
          .filter((o) => o.merchantId === north.id && o.items.some((i) => products.has(i.productId)))
          .map((o) => o.externalOrderId.split('-')[2]),
      );
      expect(daysWithSales.size).toBeGreaterThan(0);
      expect(daysWithSales.size).toBeLessThan(365 / 2);
    });

    it('has promotions that raise demand on their days', () => {
      const firstDay = Date.UTC(2025, 0, 1) / 86_400_000;
      const promoDays = Array.from({ length: 365 }, (_, i) => firstDay + i).filter(
        (d) => promotionsOn(all, north, d).length > 0,
      );
      expect(promoDays.length).toBeGreaterThan(10);
      expect(promoDays.length).toBeLessThan(200);
    });
  });
});

describe('createLiveSource', () => {
  it('stamps orders with the given time and never repeats an id', () => {
    const catalog = generateCatalog({ seed: 'live' });
    const source = createLiveSource({ catalog, runTag: 'run1' });
    const now = Date.UTC(2026, 2, 1, 10);
    const orders = Array.from({ length: 500 }, (_, i) => source.next(now + i * 10));
    expect(new Set(orders.map((o) => o.externalOrderId)).size).toBe(500);
    expect(orders[7]!.placedAt).toBe(new Date(now + 70).toISOString());
    expect(new Set(orders.map((o) => o.merchantId)).size).toBe(3);
    expect(createLiveSource({ catalog, runTag: 'run2' }).next(now).externalOrderId).not.toBe(
      orders[0]!.externalOrderId,
    );
  });
});
