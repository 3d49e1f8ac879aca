import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BUCKET_TYPES,
  WEEK_STARTS,
  bucketStart,
  bucketStarts,
  bucketSequence,
  formatDate,
  isBucketStart,
  parseDate,
  shiftBucket,
  startOfLocalDay,
  type Calendar,
} from './index.js';

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Adelaide',
  'Pacific/Auckland',
  'America/Santiago',
  'Asia/Kathmandu',
];
const instant = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2040-01-01T00:00:00Z'),
  noInvalidDate: true,
});
const calendar = fc.record({
  timezone: fc.constantFrom(...ZONES),
  weekStart: fc.constantFrom(...WEEK_STARTS),
});

describe('bucketStart', () => {
  it.each([
    // 2026-11-15 23:30 in New York is 2026-11-16 04:30Z: a Sunday locally, a Monday in UTC.
    ['2026-11-16T04:30:00Z', 'America/New_York', 'MONDAY', 'WEEK', '2026-11-09'],
    ['2026-11-16T04:30:00Z', 'America/New_York', 'SUNDAY', 'WEEK', '2026-11-15'],
    ['2026-11-16T04:30:00Z', 'UTC', 'MONDAY', 'WEEK', '2026-11-16'],
    // Year end: 2026-12-31 20:00Z is already 2027 in Auckland.
    ['2026-12-31T20:00:00Z', 'Pacific/Auckland', 'MONDAY', 'YEAR', '2027-01-01'],
    ['2026-12-31T20:00:00Z', 'UTC', 'MONDAY', 'YEAR', '2026-01-01'],
    ['2026-12-31T20:00:00Z', 'Pacific/Auckland', 'MONDAY', 'MONTH', '2027-01-01'],
    // Half-hour offset: 18:29Z on Mar 1 is 23:59 in Kolkata, 18:30Z is the next day.
    ['2026-03-01T18:29:00Z', 'Asia/Kolkata', 'MONDAY', 'DAY', '2026-03-01'],
    ['2026-03-01T18:30:00Z', 'Asia/Kolkata', 'MONDAY', 'DAY', '2026-03-02'],
    // ISO week 53 of 2026 starts Monday 2026-12-28 and runs into 2027.
    ['2027-01-02T12:00:00Z', 'UTC', 'MONDAY', 'WEEK', '2026-12-28'],
    // DST: 2026-03-08 07:30Z is 03:30 EDT (after the 02:00 jump) on the same day.
    ['2026-03-08T07:30:00Z', 'America/New_York', 'MONDAY', 'DAY', '2026-03-08'],
    ['2026-11-01T05:30:00Z', 'America/New_York', 'MONDAY', 'DAY', '2026-11-01'],
  ] as const)('%s in %s (%s weeks) %s -> %s', (iso, timezone, weekStart, type, expected) => {
    expect(bucketStart(new Date(iso), type, { timezone, weekStart })).toBe(expected);
  });

  it('puts every instant in exactly one bucket per type, and that bucket contains it', () => {
    fc.assert(
      fc.property(instant, calendar, (t, cal: Calendar) => {
        const starts = bucketStarts(t, cal);
        for (const type of BUCKET_TYPES) {
          const start = parseDate(starts[type])!;
          expect(isBucketStart(start, type, cal.weekStart)).toBe(true);
          const from = startOfLocalDay(start, cal.timezone).getTime();
          const to = startOfLocalDay(shiftBucket(start, type, 1), cal.timezone).getTime();
          expect(from).toBeLessThanOrEqual(t.getTime());
          expect(t.getTime()).toBeLessThan(to);
          expect(bucketStart(t, type, cal)).toBe(starts[type]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('weeks always start on the configured day and last 7 days', () => {
    fc.assert(
      fc.property(instant, calendar, (t, cal: Calendar) => {
        const start = parseDate(bucketStart(t, 'WEEK', cal))!;
        const day = new Date(Date.UTC(start.year, start.month - 1, start.day)).getUTCDay();
        expect(WEEK_STARTS[(day + 6) % 7]).toBe(cal.weekStart);
        const next = shiftBucket(start, 'WEEK', 1);
        expect(
          Date.UTC(next.year, next.month - 1, next.day) - Date.UTC(start.year, start.month - 1, start.day),
        ).toBe(7 * 86_400_000);
      }),
    );
  });

  it('local midnight exists even where DST skips midnight (Santiago)', () => {
    // Chile springs forward at 24:00 -> 01:00 local; the day starts at 01:00.
    const d = startOfLocalDay({ year: 2026, month: 9, day: 6 }, 'America/Santiago');
    expect(bucketStart(d, 'DAY', { timezone: 'America/Santiago', weekStart: 'MONDAY' })).toBe('2026-09-06');
    expect(
      bucketStart(new Date(d.getTime() - 1), 'DAY', { timezone: 'America/Santiago', weekStart: 'MONDAY' }),
    ).toBe('2026-09-05');
  });
});

describe('sequences and dates', () => {
  it('lists consecutive month starts across a year end', () => {
    expect(bucketSequence(parseDate('2026-11-20')!, parseDate('2027-02-03')!, 'MONTH', 'MONDAY')).toEqual([
      '2026-11-01',
      '2026-12-01',
      '2027-01-01',
      '2027-02-01',
    ]);
  });
  it.each(['2026-02-29', '2026-13-01', '26-01-01', '2026-1-01', 'yesterday'])('rejects %s as a date', (s) => {
    expect(parseDate(s)).toBeUndefined();
  });
  it('round-trips dates', () => {
    expect(formatDate(parseDate('2024-02-29')!)).toBe('2024-02-29');
  });
});
