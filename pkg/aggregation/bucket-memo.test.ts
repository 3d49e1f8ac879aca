import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketStarts, WEEK_STARTS } from '../buckets/index.js';
import { memoBucketStarts } from './bucket-memo.js';

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'America/Sao_Paulo',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'America/St_Johns',
];

describe('memoBucketStarts', () => {
  it('agrees with pkg/buckets for any instant, zone and week start', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom(...ZONES),
        fc.constantFrom(...WEEK_STARTS),
        (ms, timezone, weekStart) => {
          const instant = new Date(ms);
          expect(memoBucketStarts(instant, { timezone, weekStart })).toEqual(
            bucketStarts(instant, { timezone, weekStart }),
          );
        },
      ),
      { numRuns: 1000 },
    );
  }, 60_000);

  it.each([
    // Around DST changes and midnights, where a wrong boundary would show.
    ['2026-03-29T00:59:59.999Z', 'Europe/Berlin'],
    ['2026-03-29T01:00:00.000Z', 'Europe/Berlin'],
    ['2026-10-24T22:00:00.000Z', 'Europe/Berlin'],
    ['2026-10-24T21:59:59.999Z', 'Europe/Berlin'],
    ['2026-11-01T04:00:00.000Z', 'America/New_York'],
    ['2026-03-08T05:00:00.000Z', 'America/New_York'],
    ['2026-12-31T10:00:00.000Z', 'Pacific/Kiritimati'],
    ['2026-12-31T09:59:59.999Z', 'Pacific/Kiritimati'],
    ['2026-04-05T13:45:00.000Z', 'Australia/Lord_Howe'],
  ])('%s in %s', (iso, timezone) => {
    for (const weekStart of WEEK_STARTS) {
      const instant = new Date(iso);
      for (const delta of [-1, 0, 1]) {
        const t = new Date(instant.getTime() + delta);
        expect(memoBucketStarts(t, { timezone, weekStart })).toEqual(
          bucketStarts(t, { timezone, weekStart }),
        );
      }
    }
  });
});
