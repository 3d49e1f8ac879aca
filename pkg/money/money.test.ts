import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { currencyExponent, formatAmount, MoneyError, parseAmount } from './index.js';

describe('money', () => {
  it.each([
    ['19.99', 'EUR', 1999n],
    ['19.9', 'EUR', 1990n],
    ['19', 'EUR', 1900n],
    ['0', 'USD', 0n],
    ['1500', 'JPY', 1500n],
    ['1.234', 'KWD', 1234n],
    ['999999999999.99', 'USD', 99999999999999n],
  ])('parses %s %s as %s minor units', (value, currency, expected) => {
    expect(parseAmount(value, currency)).toBe(expected);
  });

  it.each([
    ['19.999', 'EUR', /3 decimals; EUR allows at most 2/],
    ['1.5', 'JPY', /JPY allows at most 0/],
    ['-1.00', 'EUR', /not a non-negative decimal/],
    ['1e3', 'EUR', /not a non-negative decimal/],
    ['01.00', 'EUR', /not a non-negative decimal/],
    ['', 'EUR', /not a non-negative decimal/],
    ['1.00', 'XYZ', /unknown ISO 4217/],
  ])('rejects %s %s', (value, currency, message) => {
    expect(() => parseAmount(value, currency)).toThrow(MoneyError);
    expect(() => parseAmount(value, currency)).toThrow(message);
  });

  it.each([
    [1999n, 'EUR', '19.99'],
    [5n, 'EUR', '0.05'],
    [-5n, 'EUR', '-0.05'],
    [1500n, 'JPY', '1500'],
    [1234n, 'KWD', '1.234'],
  ])('formats %s %s as %s', (minor, currency, expected) => {
    expect(formatAmount(minor, currency)).toBe(expected);
  });

  it('round-trips every amount', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.constantFrom('EUR', 'JPY', 'KWD'),
        (minor, cur) => {
          expect(parseAmount(formatAmount(minor, cur), cur)).toBe(minor);
        },
      ),
    );
  });

  it('knows exponents', () => {
    expect([currencyExponent('USD'), currencyExponent('JPY'), currencyExponent('BHD')]).toEqual([2, 0, 3]);
  });
});
