import { describe, expect, it } from 'vitest';
import { isDataError } from './errors.js';

describe('isDataError', () => {
  it.each([
    ['22003', true], // numeric value out of range
    ['23505', true], // unique violation
    ['23503', true], // foreign key violation
    ['40P01', false], // deadlock: retry, not the data's fault
    ['57P01', false], // admin shutdown: unavailable
    ['ECONNREFUSED', false],
  ])('%s -> %s', (code, expected) => {
    expect(isDataError(Object.assign(new Error(code), { code }))).toBe(expected);
  });

  it('is false for errors without a code', () => {
    expect(isDataError(new Error('boom'))).toBe(false);
    expect(isDataError(undefined)).toBe(false);
  });
});
