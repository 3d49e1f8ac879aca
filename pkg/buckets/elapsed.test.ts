import { describe, expect, it } from 'vitest';
import { elapsedComparison, localWallTime, zonedInstant, type Calendar } from './index.js';

const berlin: Calendar = { timezone: 'Europe/Berlin', weekStart: 'MONDAY' };
const utc: Calendar = { timezone: 'UTC', weekStart: 'MONDAY' };
const iso = (d: Date) => d.toISOString();

describe('localWallTime', () => {
  it('reads the wall clock of the zone, across a DST change', () => {
    expect(localWallTime(new Date('2026-03-29T00:59:00Z'), 'Europe/Berlin')).toEqual({
      date: { year: 2026, month: 3, day: 29 },
      minuteOfDay: 1 * 60 + 59,
    });
    // One minute later the clocks jump from 02:00 to 03:00.
    expect(localWallTime(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin').minuteOfDay).toBe(3 * 60);
  });
  it('handles half-hour offsets and the date line', () => {
    expect(localWallTime(new Date('2026-12-06T20:00:00Z'), 'Asia/Kolkata')).toEqual({
      date: { year: 2026, month: 12, day: 7 },
      minuteOfDay: 90,
    });
    expect(localWallTime(new Date('2026-12-06T20:00:00Z'), 'Pacific/Kiritimati').date.day).toBe(7);
  });
});

describe('zonedInstant', () => {
  it('maps an ordinary wall time to its instant', () => {
    expect(iso(zonedInstant({ year: 2026, month: 3, day: 23 }, 10 * 60, 'Europe/Berlin'))).toBe(
      '2026-03-23T09:00:00.000Z',
    );
    expect(iso(zonedInstant({ year: 2026, month: 7, day: 1 }, 10 * 60, 'Europe/Berlin'))).toBe(
      '2026-07-01T08:00:00.000Z',
    );
  });
  it('maps a wall time skipped by the spring-forward jump to the jump itself', () => {
    // 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 never shows; everything before it is before 01:00Z.
    expect(iso(zonedInstant({ year: 2026, month: 3, day: 29 }, 2 * 60 + 30, 'Europe/Berlin'))).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    expect(iso(zonedInstant({ year: 2026, month: 3, day: 29 }, 3 * 60 + 30, 'Europe/Berlin'))).toBe(
      '2026-03-29T01:30:00.000Z',
    );
  });
  it('maps a wall time shown twice (fall back) to its first occurrence', () => {
    // 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 shows at 00:30Z and again at 01:30Z.
    expect(iso(zonedInstant({ year: 2026, month: 10, day: 25 }, 2 * 60 + 30, 'Europe/Berlin'))).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });
  it('works for zones with 30 and 45 minute offsets', () => {
    expect(iso(zonedInstant({ year: 2026, month: 11, day: 30 }, 90, 'Asia/Kolkata'))).toBe(
      '2026-11-29T20:00:00.000Z',
    );
    expect(iso(zonedInstant({ year: 2026, month: 6, day: 1 }, 0, 'Asia/Kathmandu'))).toBe(
      '2026-05-31T18:15:00.000Z',
    );
  });
});

describe('elapsedComparison', () => {
  it('compares a week in progress with the previous week to the same local time, across DST', () => {
    // Monday 2026-03-30 10:00 CEST (the day after the change): the previous Monday 10:00 was CET.
    const c = elapsedComparison(new Date('2026-03-30T08:00:00Z'), 'WEEK', berlin);
    expect(c).toMatchObject({
      bucketStart: '2026-03-30',
      previousStart: '2026-03-23',
      asOfLocal: '2026-03-30T10:00',
      previousToLocal: '2026-03-23T10:00',
      cutoffDate: '2026-03-23',
    });
    expect(iso(c.partialFrom)).toBe('2026-03-22T23:00:00.000Z');
    expect(iso(c.partialTo)).toBe('2026-03-23T09:00:00.000Z');
  });
  it('compares the day of the spring-forward change with the day before by wall clock', () => {
    const c = elapsedComparison(new Date('2026-03-29T12:00:00Z'), 'DAY', berlin); // 14:00 CEST
    expect(c).toMatchObject({
      bucketStart: '2026-03-29',
      previousStart: '2026-03-28',
      cutoffDate: '2026-03-28',
    });
    expect(iso(c.partialFrom)).toBe('2026-03-27T23:00:00.000Z');
    expect(iso(c.partialTo)).toBe('2026-03-28T13:00:00.000Z'); // 14:00 CET
  });
  it('counts whole days of the week before the cut day', () => {
    // Thursday 2026-12-10 18:45 UTC: Mon-Wed of the previous week whole, Thursday to 18:45.
    const c = elapsedComparison(new Date('2026-12-10T18:45:30Z'), 'WEEK', utc);
    expect(c).toMatchObject({ previousStart: '2026-11-30', cutoffDate: '2026-12-03' });
    expect(iso(c.partialTo)).toBe('2026-12-03T18:45:00.000Z');
  });
  it('follows the merchant week start and its timezone (Sunday weeks in Kolkata)', () => {
    // 2026-12-06T20:00Z is Monday 01:30 in Kolkata; the week started Sunday 2026-12-06.
    const c = elapsedComparison(new Date('2026-12-06T20:00:00Z'), 'WEEK', {
      timezone: 'Asia/Kolkata',
      weekStart: 'SUNDAY',
    });
    expect(c).toMatchObject({
      bucketStart: '2026-12-06',
      previousStart: '2026-11-29',
      cutoffDate: '2026-11-30',
    });
    expect(iso(c.partialFrom)).toBe('2026-11-29T18:30:00.000Z');
    expect(iso(c.partialTo)).toBe('2026-11-29T20:00:00.000Z');
  });
  it('compares a month to the same day of the previous month, in New York across its DST change', () => {
    // 2026-03-15 02:30 EDT; 2026-02-15 02:30 was EST (UTC-5).
    const c = elapsedComparison(new Date('2026-03-15T06:30:00Z'), 'MONTH', {
      timezone: 'America/New_York',
      weekStart: 'MONDAY',
    });
    expect(c).toMatchObject({
      bucketStart: '2026-03-01',
      previousStart: '2026-02-01',
      cutoffDate: '2026-02-15',
    });
    expect(iso(c.partialFrom)).toBe('2026-02-15T05:00:00.000Z');
    expect(iso(c.partialTo)).toBe('2026-02-15T07:30:00.000Z');
  });
  it('takes the whole previous month when it has no such day', () => {
    const c = elapsedComparison(new Date('2026-03-31T12:00:00Z'), 'MONTH', utc);
    expect(c).toMatchObject({ cutoffDate: '2026-03-01', previousToLocal: '2026-03-01T00:00' });
    expect(iso(c.partialFrom)).toBe(iso(c.partialTo));
  });
  it('compares February 29th with the previous year up to the end of February 28th', () => {
    const c = elapsedComparison(new Date('2028-02-29T10:00:00Z'), 'YEAR', utc);
    expect(c).toMatchObject({
      bucketStart: '2028-01-01',
      previousStart: '2027-01-01',
      cutoffDate: '2027-03-01',
    });
    expect(iso(c.partialFrom)).toBe('2027-03-01T00:00:00.000Z');
    expect(iso(c.partialTo)).toBe('2027-03-01T00:00:00.000Z');
  });
  it('compares a year to the same date and time of the previous year', () => {
    const c = elapsedComparison(new Date('2026-12-06T01:45:00Z'), 'YEAR', utc);
    expect(c).toMatchObject({
      previousStart: '2025-01-01',
      cutoffDate: '2025-12-06',
      asOfLocal: '2026-12-06T01:45',
    });
    expect(iso(c.partialTo)).toBe('2025-12-06T01:45:00.000Z');
  });
});
