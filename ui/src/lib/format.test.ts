import { describe, expect, it } from 'vitest';
import {
  formatAge,
  formatAsOf,
  formatChange,
  formatMoney,
  formatShare,
  minorToDecimal,
  decimalsOf,
} from './format.js';

describe('money and percent', () => {
  it.each([
    ['1234.5', 'USD', '$1,234.50'],
    ['1234', 'JPY', '¥1,234'],
    ['0.00', 'EUR', '€0.00'],
  ])('formatMoney(%s, %s) -> %s', (amount, currency, text) => {
    expect(formatMoney(amount, currency)).toBe(text);
  });

  it.each([
    [0.2345, '23.5%'],
    [1, '100%'],
    [0, '0%'],
  ])('formatShare(%s) -> %s', (f, text) => {
    expect(formatShare(f)).toBe(text);
  });

  it.each([
    ['112.00', '100.00', '+12%'],
    ['96', '100', '−4%'],
    ['100', '100', '0%'],
    ['5.00', '0.00', 'new'],
    ['0.00', '0.00', '–'],
  ])('formatChange(%s, %s) -> %s', (cur, prev, text) => {
    expect(formatChange(cur, prev)).toBe(text);
  });

  it.each([
    [123456n, 2, '1234.56'],
    [5n, 2, '0.05'],
    [-5n, 2, '-0.05'],
    [1234n, 0, '1234'],
    [0n, 3, '0.000'],
  ])('minorToDecimal(%s, %s) -> %s', (minor, decimals, text) => {
    expect(minorToDecimal(minor, decimals)).toBe(text);
  });

  it.each([
    ['12.50', 2],
    ['12', 0],
    ['0.125', 3],
  ])('decimalsOf(%s) -> %s', (amount, n) => {
    expect(decimalsOf(amount)).toBe(n);
  });
});

describe('time', () => {
  const now = new Date('2026-11-16T12:10:00Z');
  it.each([
    ['2026-11-16T12:04:31Z', 'UTC', '12:04:31'],
    ['2026-11-16T12:04:31Z', 'Asia/Tokyo', '21:04:31'],
    ['2026-11-15T23:04:31Z', 'UTC', '15 Nov, 23:04:31'],
    ['not a time', 'UTC', '–'],
  ])('formatAsOf(%s, %s) -> %s', (iso, tz, text) => {
    expect(formatAsOf(iso, tz, now)).toBe(text);
  });

  it.each([
    ['2026-11-16T12:09:30Z', 'just now'],
    ['2026-11-16T12:06:00Z', '4 min ago'],
    ['2026-11-16T09:00:00Z', '3 h ago'],
    ['2026-11-13T12:00:00Z', '3 days ago'],
  ])('formatAge(%s) -> %s', (iso, text) => {
    expect(formatAge(iso, now)).toBe(text);
  });
});
