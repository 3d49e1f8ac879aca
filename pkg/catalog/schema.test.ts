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

describe('safe text (names, externalOrderId)', () => {
  const name = (value: string) => productInputSchema.safeParse({ name: value, categoryId: 'c' }).success;

  // Every white-space character String.prototype.trim removes, alone, is blank: the document's
  // pattern spells that set out, so it must agree with trim().
  it.each([
    '\t',
    '\n',
    '\u000b',
    ' ',
    '\u00a0',
    '\u1680',
    '\u2000',
    '\u200a',
    '\u2028',
    '\u202f',
    '\u3000',
    '\ufeff',
  ])('refuses %j alone, which trim() removes', (ws) => {
    expect(ws.trim()).toBe('');
    expect(name(ws)).toBe(false);
    // Control characters (tab, line feed...) are refused inside a text too; the others are fine there.
    expect(name(`${ws}x${ws}`)).toBe(ws.charCodeAt(0) > 0x1f);
  });

  it.each([
    ['an emoji (one character outside the BMP)', '\u{1f600}', true],
    ['text with spaces around it', '  Kite  ', true],
    ['a zero-width space (not trimmed)', '\u200b', true],
    ['a DEL', 'a\u007f', false],
    ['an unpaired trail surrogate', '\udc00x', false],
  ])('judges %s', (_, value, ok) => {
    expect(name(value)).toBe(ok);
  });
});
