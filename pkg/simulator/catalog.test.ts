import { describe, expect, it } from 'vitest';
import { currencyExponent, formatAmount } from '../money/index.js';
import { generateCatalog, SimulatorOptionError } from './catalog.js';

const ID = /^[A-Za-z0-9._:-]{1,64}$/;

describe('generateCatalog', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateCatalog({ seed: 's1', merchants: 4 });
    expect(generateCatalog({ seed: 's1', merchants: 4 })).toEqual(a);
    expect(generateCatalog({ seed: 's2', merchants: 4 })).not.toEqual(a);
  });

  it('keeps merchant k the same whatever the number of merchants', () => {
    const three = generateCatalog({ seed: 's', merchants: 3 });
    const twelve = generateCatalog({ seed: 's', merchants: 12 });
    expect(twelve.merchants.slice(0, 3)).toEqual(three.merchants);
  });

  it.each([1, 3, 5, 12, 25])('builds a valid catalog for %i merchants', (n) => {
    const catalog = generateCatalog({ seed: 'valid', merchants: n });
    expect(catalog.merchants).toHaveLength(n);
    expect(new Set(catalog.merchants.map((m) => m.id)).size).toBe(n);
    for (const m of catalog.merchants) {
      expect(m.id).toMatch(ID);
      const byId = new Map(m.categories.map((c) => [c.id, c]));
      expect(byId.size).toBe(m.categories.length);
      for (const c of m.categories) {
        expect(c.id).toMatch(ID);
        // Walk up: every parent exists, and the walk ends (no cycle) within the category count.
        const seen = new Set<string>();
        for (let cur = c; cur.parentCategoryId !== undefined; cur = byId.get(cur.parentCategoryId)!) {
          expect(byId.has(cur.parentCategoryId)).toBe(true);
          expect(seen.has(cur.id)).toBe(false);
          seen.add(cur.id);
        }
      }
      // Parents are listed before their children, so an in-order sync never dangles.
      const position = new Map(m.categories.map((c, i) => [c.id, i]));
      for (const c of m.categories) {
        if (c.parentCategoryId) expect(position.get(c.parentCategoryId)!).toBeLessThan(position.get(c.id)!);
      }
      expect(new Set(m.products.map((p) => p.id)).size).toBe(m.products.length);
      for (const p of m.products) {
        expect(p.id).toMatch(ID);
        expect(byId.get(p.categoryId)?.demand).toBeDefined(); // products live on leaves
        expect(p.priceMinor).toBeGreaterThan(0n);
      }
      const mix = m.categories.reduce((s, c) => s + (c.demand?.mix ?? 0), 0);
      expect(mix).toBeCloseTo(1, 9);
      expect(m.categories.filter((c) => c.demand?.intermittent)).toHaveLength(1);
    }
  });

  it('covers a half-hour zone, the southern hemisphere, JPY and three week starts with the default three merchants', () => {
    const { merchants } = generateCatalog();
    expect(merchants).toHaveLength(3);
    expect(new Set(merchants.map((m) => m.timezone)).size).toBe(3);
    expect(merchants.map((m) => m.timezone)).toContain('Asia/Kolkata');
    expect(merchants.some((m) => m.southern)).toBe(true);
    expect(merchants.map((m) => m.currency)).toContain('JPY');
    expect(new Set(merchants.map((m) => m.weekStart))).toEqual(new Set(['MONDAY', 'SUNDAY', 'SATURDAY']));
  });

  it('includes a 3-decimal currency among the first six merchants', () => {
    const { merchants } = generateCatalog({ merchants: 6 });
    expect(merchants.map((m) => currencyExponent(m.currency))).toContain(3);
  });

  it.each([
    ['JPY', /^\d+$/],
    ['KWD', /^\d+\.\d{3}$/],
    ['EUR', /^\d+\.\d{2}$/],
  ])('prices %s products with exactly its decimals', (currency, pattern) => {
    const m = generateCatalog({ merchants: 10 }).merchants.find((x) => x.currency === currency)!;
    for (const p of m.products) expect(formatAmount(p.priceMinor, currency)).toMatch(pattern);
  });

  it('sizes the catalog from its options', () => {
    const m = generateCatalog({ parentsPerMerchant: 2, childrenPerParent: 4, productsPerCategory: 7 })
      .merchants[0]!;
    expect(m.categories.filter((c) => !c.parentCategoryId)).toHaveLength(2);
    expect(m.categories.filter((c) => c.parentCategoryId)).toHaveLength(8);
    expect(m.products).toHaveLength(56);
  });

  it.each([
    [{ merchants: 0 }, /merchants must be an integer in 1\.\.100000 \(got 0\)/],
    [{ parentsPerMerchant: 9 }, /parentsPerMerchant/],
    [{ childrenPerParent: 1.5 }, /childrenPerParent/],
    [{ merchantPrefix: 'bad prefix' }, /merchantPrefix/],
  ])('rejects %j naming the option', (options, message) => {
    expect(() => generateCatalog(options)).toThrow(SimulatorOptionError);
    expect(() => generateCatalog(options)).toThrow(message);
  });
});
