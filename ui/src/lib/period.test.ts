import { describe, expect, it } from 'vitest';
import {
  currentPeriod,
  periodContaining,
  periodLabel,
  periodSpan,
  shiftPeriod,
  shortLabel,
  type Timeframe,
} from './period.js';

describe('periodLabel', () => {
  it.each<[Timeframe, string, string]>([
    ['day', '2026-11-16', 'Mon 16 Nov 2026'],
    ['week', '2026-11-16', 'Week of Mon 16 Nov 2026'],
    ['week', '2026-11-15', 'Week of Sun 15 Nov 2026'],
    ['month', '2026-11-01', 'November 2026'],
    ['year', '2026-01-01', '2026'],
  ])('%s %s -> %s', (tf, start, label) => {
    expect(periodLabel(tf, start)).toBe(label);
  });
});

describe('periodSpan', () => {
  it.each<[Timeframe, string, string]>([
    ['day', '2026-11-16', ''],
    ['week', '2026-11-16', '16 – 22 Nov 2026'],
    ['week', '2026-11-30', '30 Nov – 6 Dec 2026'],
    ['week', '2026-12-28', '28 Dec 2026 – 3 Jan 2027'],
    ['month', '2024-02-01', '1 – 29 Feb 2024'],
    ['year', '2026-01-01', '1 Jan – 31 Dec 2026'],
  ])('%s %s -> %s', (tf, start, span) => {
    expect(periodSpan(tf, start)).toBe(span);
  });
});

describe('currentPeriod', () => {
  // 2026-11-16T03:30Z is still Sunday 15 Nov in Los Angeles and already Monday 16 Nov in Tokyo.
  const now = new Date('2026-11-16T03:30:00Z');
  it.each<[Timeframe, string, 'MONDAY' | 'SUNDAY', string]>([
    ['day', 'America/Los_Angeles', 'MONDAY', '2026-11-15'],
    ['day', 'Asia/Tokyo', 'MONDAY', '2026-11-16'],
    ['week', 'America/Los_Angeles', 'MONDAY', '2026-11-09'],
    ['week', 'America/Los_Angeles', 'SUNDAY', '2026-11-15'],
    ['week', 'Asia/Tokyo', 'MONDAY', '2026-11-16'],
    ['month', 'Asia/Tokyo', 'MONDAY', '2026-11-01'],
    ['year', 'UTC', 'MONDAY', '2026-01-01'],
  ])('%s in %s (weeks start %s) -> %s', (tf, timezone, weekStart, expected) => {
    expect(currentPeriod(tf, now, { timezone, weekStart })).toBe(expected);
  });

  it('honours the year boundary in the merchant timezone', () => {
    const newYearUtc = new Date('2027-01-01T02:00:00Z');
    expect(currentPeriod('year', newYearUtc, { timezone: 'America/New_York', weekStart: 'MONDAY' })).toBe(
      '2026-01-01',
    );
    expect(currentPeriod('year', newYearUtc, { timezone: 'Europe/Berlin', weekStart: 'MONDAY' })).toBe(
      '2027-01-01',
    );
  });
});

describe('shiftPeriod and periodContaining', () => {
  it.each<[Timeframe, string, number, string]>([
    ['day', '2026-03-01', -1, '2026-02-28'],
    ['week', '2026-12-28', 1, '2027-01-04'],
    ['month', '2026-01-01', -1, '2025-12-01'],
    ['month', '2026-11-01', 2, '2027-01-01'],
    ['year', '2026-01-01', -3, '2023-01-01'],
  ])('%s %s %+d -> %s', (tf, start, steps, expected) => {
    expect(shiftPeriod(tf, start, steps)).toBe(expected);
  });

  it.each<[Timeframe, string, 'MONDAY' | 'SATURDAY', string | undefined]>([
    ['week', '2026-11-19', 'MONDAY', '2026-11-16'],
    ['week', '2026-11-19', 'SATURDAY', '2026-11-14'],
    ['month', '2026-11-19', 'MONDAY', '2026-11-01'],
    ['year', '2026-11-19', 'MONDAY', '2026-01-01'],
    ['week', '2026-02-30', 'MONDAY', undefined],
  ])('%s containing %s (weeks start %s) -> %s', (tf, date, weekStart, expected) => {
    expect(periodContaining(tf, date, weekStart)).toBe(expected);
  });
});

describe('shortLabel', () => {
  it.each<[Timeframe, string, string]>([
    ['day', '2026-11-16', '16 Nov'],
    ['week', '2026-11-16', '16 Nov'],
    ['month', '2026-11-01', 'Nov 2026'],
    ['year', '2026-01-01', '2026'],
  ])('%s %s -> %s', (tf, start, label) => {
    expect(shortLabel(tf, start)).toBe(label);
  });
});
