import { describe, expect, it } from 'vitest';
import { categoryInputSchema, merchantInputSchema, productInputSchema } from './schema.js';
import { PLATFORM_ID_PATTERN } from './ids.js';

describe('merchantInputSchema', () => {
  it('fills the calendar defaults and canonicalises the zone', () => {
    expect(merchantInputSchema.parse({ name: 'Shop', currency: 'EUR' })).toEqual({
      name: 'Shop',
      timezone: 'UTC',
      weekStart: 'MONDAY',
      currency: 'EUR',
    });
    expect(merchantInputSchema.parse({ name: 'S', currency: 'EUR', timezone: 'utc' }).timezone).toBe('UTC');
  });

  it.each<[string, unknown, string]>([
    ['timezone', { name: 'S', currency: 'EUR', timezone: 'Mars/Olympus' }, 'timezone'],
    ['weekStart', { name: 'S', currency: 'EUR', weekStart: 'monday' }, 'weekStart'],
    ['currency', { name: 'S', currency: 'eur' }, 'currency'],
    ['currency missing', { name: 'S' }, 'currency'],
    ['name blank', { name: '   ', currency: 'EUR' }, 'name'],
    ['name control', { name: 'a\u0007', currency: 'EUR' }, 'name'],
    ['name surrogate', { name: 'a\ud800', currency: 'EUR' }, 'name'],
    ['name too long', { name: 'x'.repeat(201), currency: 'EUR' }, 'name'],
  ])('rejects a bad %s', (_, raw, field) => {
    const result = merchantInputSchema.safeParse(raw);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(field);
  });

  it('accepts unicode names', () => {
    expect(merchantInputSchema.parse({ name: 'Café 東京 🛒', currency: 'JPY' }).name).toBe('Café 東京 🛒');
  });
});

describe('category and product schemas', () => {
  it.each([
    [{ name: 'C' }, true],
    [{ name: 'C', parentCategoryId: null }, true],
    [{ name: 'C', parentCategoryId: 'root' }, true],
    [{ name: 'C', parentCategoryId: 'a b' }, false],
    [{ name: 'C', parentCategoryId: 7 }, false],
  ])('category %j valid=%s', (raw, valid) => {
    expect(categoryInputSchema.safeParse(raw).success).toBe(valid);
  });

  it.each([
    [{ name: 'P', categoryId: 'c1' }, true],
    [{ name: 'P' }, false],
    [{ name: '', categoryId: 'c1' }, false],
  ])('product %j valid=%s', (raw, valid) => {
    expect(productInputSchema.safeParse(raw).success).toBe(valid);
  });

  it.each([
    ['abc', true],
    ['A.b_c:d-9', true],
    ['x'.repeat(64), true],
    ['x'.repeat(65), false],
    ['', false],
    ['a/b', false],
    ['é', false],
  ])('platform id %s valid=%s', (id, valid) => {
    expect(PLATFORM_ID_PATTERN.test(id)).toBe(valid);
  });
});
