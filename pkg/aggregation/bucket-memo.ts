import {
  bucketStartOfDate,
  bucketStarts,
  formatDate,
  shiftBucket,
  type BucketType,
  type Calendar,
  type CivilDate,
} from '../buckets/index.js';

const DAY_MS = 86_400_000;
const EPOCH: CivilDate = { year: 1970, month: 1, day: 1 };
const MAX_ENTRIES = 200_000;

// pkg/buckets caches local dates per quarter hour, which misses for nearly every event of a backfill
// spread over weeks (one Intl call each). Here the zone's UTC offset is computed twice per (zone, UTC
// day); when it is the same at both ends of the day (every day but DST-change days) the local date of
// any instant that day is plain arithmetic. DST-change days fall back to pkg/buckets. A property test
// (bucket-memo.test.ts) checks that the results equal pkg/buckets' bucketStarts.
const wallClocks = new Map<string, Intl.DateTimeFormat>();
const dayOffsets = new Map<string, number>(); // `${zone}|${utcDay}` -> offset ms, NaN if it changes that day
const starts = new Map<string, Record<BucketType, string>>();

function offsetAt(ms: number, timezone: string): number {
  let f = wallClocks.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallClocks.set(timezone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

function offsetOfDay(timezone: string, utcDay: number): number {
  const key = `${timezone}|${utcDay}`;
  let o = dayOffsets.get(key);
  if (o === undefined) {
    const a = offsetAt(utcDay * DAY_MS, timezone);
    const b = offsetAt((utcDay + 1) * DAY_MS - 1000, timezone);
    o = a === b ? a : NaN;
    if (dayOffsets.size >= MAX_ENTRIES) dayOffsets.clear();
    dayOffsets.set(key, o);
  }
  return o;
}

function startsOfLocalDay(calendar: Calendar, epochDay: number): Record<BucketType, string> {
  const key = `${calendar.timezone}|${calendar.weekStart}|${epochDay}`;
  let s = starts.get(key);
  if (!s) {
    const d = shiftBucket(EPOCH, 'DAY', epochDay);
    s = {
      DAY: formatDate(d),
      WEEK: formatDate(bucketStartOfDate(d, 'WEEK', calendar.weekStart)),
      MONTH: formatDate(bucketStartOfDate(d, 'MONTH', calendar.weekStart)),
      YEAR: formatDate(bucketStartOfDate(d, 'YEAR', calendar.weekStart)),
    };
    if (starts.size >= MAX_ENTRIES) starts.clear();
    starts.set(key, s);
  }
  return s;
}

/** Same result as pkg/buckets' `bucketStarts`, memoised per (zone, day) for batches spread over many days. */
export function memoBucketStarts(instant: Date, calendar: Calendar): Record<BucketType, string> {
  const ms = instant.getTime();
  const offset = offsetOfDay(calendar.timezone, Math.floor(ms / DAY_MS));
  if (Number.isNaN(offset)) return bucketStarts(instant, calendar);
  return startsOfLocalDay(calendar, Math.floor((ms + offset) / DAY_MS));
}
