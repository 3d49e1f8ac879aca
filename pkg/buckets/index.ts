/**
 * Calendar bucketing: the one place that decides which day, week, month and year an instant belongs
 * to for a merchant, in the merchant's IANA timezone and with its week-start policy.
 * Bucket starts are civil dates ("YYYY-MM-DD"); a bucket runs from its start to the next start.
 */

/** Granularities that aggregates are stored in. */
export const BUCKET_TYPES = ['DAY', 'WEEK', 'MONTH', 'YEAR'] as const;
/** A bucket granularity. */
export type BucketType = (typeof BUCKET_TYPES)[number];

/** Days a week may start on. */
export const WEEK_STARTS = [
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
  'SUNDAY',
] as const;
/** A week-start policy. */
export type WeekStart = (typeof WEEK_STARTS)[number];

/** The calendar settings of one merchant. */
export interface Calendar {
  readonly timezone: string;
  readonly weekStart: WeekStart;
}

/** A calendar date without a time or zone. */
export interface CivilDate {
  readonly year: number;
  readonly month: number; // 1..12
  readonly day: number; // 1..31
}

const ISO_DOW: Record<WeekStart, number> = {
  MONDAY: 1,
  TUESDAY: 2,
  WEDNESDAY: 3,
  THURSDAY: 4,
  FRIDAY: 5,
  SATURDAY: 6,
  SUNDAY: 7,
};

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/**
 * The canonical IANA zone names this runtime knows (plus UTC), sorted: what the API documents list.
 * {@link isTimeZone} also accepts aliases and other spellings of them ("utc", "US/Eastern").
 */
export function timeZoneNames(): string[] {
  return [...new Set([...Intl.supportedValuesOf('timeZone'), 'UTC'])].sort();
}

/** True when `timezone` is an IANA zone name this runtime knows. */
export function isTimeZone(timezone: string): boolean {
  if (timezone.length === 0 || timezone.length > 64) return false;
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

// Every UTC offset in use is a multiple of 15 minutes, so the local date is constant within an aligned
// quarter hour: caching by (zone, quarter hour) turns the expensive Intl call into a map lookup.
const QUARTER_HOUR_MS = 15 * 60 * 1000;
const dateCache = new Map<string, CivilDate>();

/** The civil date of `instant` in `timezone`. */
export function localDate(instant: Date, timezone: string): CivilDate {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid instant');
  const key = `${timezone}|${Math.floor(ms / QUARTER_HOUR_MS)}`;
  const hit = dateCache.get(key);
  if (hit) return hit;
  let year = 0;
  let month = 0;
  let day = 0;
  for (const part of formatterFor(timezone).formatToParts(instant)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
  }
  const date = { year, month, day };
  if (dateCache.size > 50_000) dateCache.clear();
  dateCache.set(key, date);
  return date;
}

function toEpochDay(d: CivilDate): number {
  return Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;
}

function fromEpochDay(n: number): CivilDate {
  const t = new Date(n * 86_400_000);
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** Formats a civil date as YYYY-MM-DD. */
export function formatDate(d: CivilDate): string {
  const y = String(d.year).padStart(4, '0');
  return `${y}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** Parses YYYY-MM-DD into a civil date, or returns undefined when it is not a real date. */
export function parseDate(text: string): CivilDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const d = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const back = fromEpochDay(toEpochDay(d));
  return back.year === d.year && back.month === d.month && back.day === d.day ? d : undefined;
}

/** The start of the bucket of `type` that contains the civil date `d`. */
export function bucketStartOfDate(d: CivilDate, type: BucketType, weekStart: WeekStart): CivilDate {
  switch (type) {
    case 'DAY':
      return d;
    case 'WEEK': {
      const n = toEpochDay(d);
      const isoDow = ((((n + 3) % 7) + 7) % 7) + 1; // 1970-01-01 was a Thursday (ISO 4)
      const back = (isoDow - ISO_DOW[weekStart] + 7) % 7;
      return fromEpochDay(n - back);
    }
    case 'MONTH':
      return { year: d.year, month: d.month, day: 1 };
    case 'YEAR':
      return { year: d.year, month: 1, day: 1 };
  }
}

/** The start (YYYY-MM-DD) of the bucket of `type` that contains `instant` for a merchant calendar. */
export function bucketStart(instant: Date, type: BucketType, calendar: Calendar): string {
  return formatDate(bucketStartOfDate(localDate(instant, calendar.timezone), type, calendar.weekStart));
}

/** The starts of the DAY, WEEK, MONTH and YEAR buckets that contain `instant`. */
export function bucketStarts(instant: Date, calendar: Calendar): Record<BucketType, string> {
  const d = localDate(instant, calendar.timezone);
  return {
    DAY: formatDate(d),
    WEEK: formatDate(bucketStartOfDate(d, 'WEEK', calendar.weekStart)),
    MONTH: formatDate({ year: d.year, month: d.month, day: 1 }),
    YEAR: formatDate({ year: d.year, month: 1, day: 1 }),
  };
}

/** True when `d` is the first day of a bucket of `type`. */
export function isBucketStart(d: CivilDate, type: BucketType, weekStart: WeekStart): boolean {
  const s = bucketStartOfDate(d, type, weekStart);
  return s.year === d.year && s.month === d.month && s.day === d.day;
}

/** The start of the bucket `steps` buckets after (negative: before) the bucket starting at `start`. */
export function shiftBucket(start: CivilDate, type: BucketType, steps: number): CivilDate {
  switch (type) {
    case 'DAY':
      return fromEpochDay(toEpochDay(start) + steps);
    case 'WEEK':
      return fromEpochDay(toEpochDay(start) + 7 * steps);
    case 'MONTH': {
      const index = start.year * 12 + (start.month - 1) + steps;
      return { year: Math.floor(index / 12), month: (((index % 12) + 12) % 12) + 1, day: 1 };
    }
    case 'YEAR':
      return { year: start.year + steps, month: 1, day: 1 };
  }
}

/** Bucket starts from the bucket containing `from` to the one containing `to`, inclusive, oldest first. */
export function bucketSequence(
  from: CivilDate,
  to: CivilDate,
  type: BucketType,
  weekStart: WeekStart,
): string[] {
  const out: string[] = [];
  let cur = bucketStartOfDate(from, type, weekStart);
  const last = formatDate(bucketStartOfDate(to, type, weekStart));
  for (let i = 0; i < 100_000; i++) {
    const s = formatDate(cur);
    if (s > last) break;
    out.push(s);
    cur = shiftBucket(cur, type, 1);
  }
  return out;
}

/** Number of whole days between two civil dates (b - a). */
export function daysBetween(a: CivilDate, b: CivilDate): number {
  return toEpochDay(b) - toEpochDay(a);
}

/**
 * The first instant of civil date `d` in `timezone` (local midnight, or the first existing local
 * time when a DST jump skips midnight).
 */
export function startOfLocalDay(d: CivilDate, timezone: string): Date {
  const target = formatDate(d);
  // Guess with UTC midnight, correct by the zone's offset, then step to the first instant of the day.
  let guess = Date.UTC(d.year, d.month - 1, d.day);
  for (let i = 0; i < 3; i++) {
    const local = localDate(new Date(guess), timezone);
    const diffDays = daysBetween(local, d);
    if (diffDays === 0) break;
    guess += diffDays * 86_400_000;
  }
  // Walk back in quarter hours while still on the target date, then forward to the first one on it.
  let t = Math.floor(guess / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  while (formatDate(localDate(new Date(t - QUARTER_HOUR_MS), timezone)) === target) t -= QUARTER_HOUR_MS;
  while (formatDate(localDate(new Date(t), timezone)) < target) t += QUARTER_HOUR_MS;
  return new Date(t);
}

/** Human description of valid bucket starts, for error messages. */
export function describeBucketStarts(type: BucketType, weekStart: WeekStart): string {
  switch (type) {
    case 'DAY':
      return 'any date';
    case 'WEEK':
      return `a ${weekStart.charAt(0)}${weekStart.slice(1).toLowerCase()} (the merchant's week start)`;
    case 'MONTH':
      return 'the first day of a month';
    case 'YEAR':
      return 'January 1st';
  }
}

const wallFormatters = new Map<string, Intl.DateTimeFormat>();
function wallFormatterFor(timezone: string): Intl.DateTimeFormat {
  let f = wallFormatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
    wallFormatters.set(timezone, f);
  }
  return f;
}

/** A local wall-clock time: a civil date and the minute of that day (0..1439). */
export interface WallTime {
  readonly date: CivilDate;
  readonly minuteOfDay: number;
}

/** The wall-clock date and minute of `instant` in `timezone` (seconds are dropped). */
export function localWallTime(instant: Date, timezone: string): WallTime {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid instant');
  const p: Record<string, number> = {};
  for (const part of wallFormatterFor(timezone).formatToParts(instant)) p[part.type] = Number(part.value);
  return {
    date: { year: p.year!, month: p.month!, day: p.day! },
    minuteOfDay: p.hour! * 60 + p.minute!,
  };
}

function wallMinutes(w: WallTime): number {
  return toEpochDay(w.date) * 1440 + w.minuteOfDay;
}

/**
 * The instant at which the wall clock of `timezone` shows `minuteOfDay` on `date`. A time skipped by
 * a DST jump forward maps to the jump itself (the first instant showing a later time); a time that
 * occurs twice (jump back) maps to its first occurrence.
 */
export function zonedInstant(date: CivilDate, minuteOfDay: number, timezone: string): Date {
  const wanted = toEpochDay(date) * 1440 + minuteOfDay;
  const naive = wanted * 60_000; // the wall time read as if it were UTC
  const offsetAt = (t: number) => wallMinutes(localWallTime(new Date(t), timezone)) * 60_000 - t;
  // Candidates from the offsets in force around the wanted time (at most two differ).
  const candidates = [
    ...new Set([naive - offsetAt(naive - 86_400_000), naive - offsetAt(naive + 86_400_000)]),
  ]
    .filter((t) => wallMinutes(localWallTime(new Date(t), timezone)) === wanted)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return new Date(candidates[0]!);
  // In a gap: the first instant showing a later time is the jump, which falls on a quarter hour
  // (every offset in use is a multiple of 15 minutes); walk to it from a few hours before.
  let t =
    Math.floor((naive - offsetAt(naive - 86_400_000) - 3 * 3_600_000) / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  while (wallMinutes(localWallTime(new Date(t), timezone)) < wanted) t += QUARTER_HOUR_MS;
  return new Date(t);
}

/** Number of days in a month. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * What a bucket still in progress at `now` is compared with: the previous bucket up to the same
 * point, i.e. the same number of whole days (DAY, WEEK) or the same day of the month (MONTH) or of
 * the year (YEAR), to the same local wall time, in the merchant's timezone. The previous bucket's
 * DAY aggregates before `cutoffDate` count whole, and of `cutoffDate` itself only what was placed in
 * [`partialFrom`, `partialTo`). When the previous bucket has no such day (the 31st after a 30-day
 * month, February 29th after a common year) it counts up to the end of the last day it has (the
 * whole previous month; January 1st to February 28th) and the partial range is empty.
 */
export interface ElapsedComparison {
  readonly bucketStart: string;
  readonly previousStart: string;
  /** The local wall time `now` is at, ISO without zone (YYYY-MM-DDTHH:MM). */
  readonly asOfLocal: string;
  /** The same point in the previous bucket, ISO without zone. */
  readonly previousToLocal: string;
  readonly cutoffDate: string;
  readonly partialFrom: Date;
  readonly partialTo: Date;
}

/** A local wall time as ISO without zone, YYYY-MM-DDTHH:MM. */
export function formatWall(d: CivilDate, minuteOfDay: number): string {
  const hh = String(Math.floor(minuteOfDay / 60)).padStart(2, '0');
  const mm = String(minuteOfDay % 60).padStart(2, '0');
  return `${formatDate(d)}T${hh}:${mm}`;
}

/** The like-for-like comparison of the bucket of `type` that contains `now` (see {@link ElapsedComparison}). */
export function elapsedComparison(now: Date, type: BucketType, calendar: Calendar): ElapsedComparison {
  const wall = localWallTime(now, calendar.timezone);
  const start = bucketStartOfDate(wall.date, type, calendar.weekStart);
  const previous = shiftBucket(start, type, -1);
  let cut: CivilDate | undefined;
  // Where the comparison stops when the previous bucket has no such day: the day after its last one.
  let overflow = start;
  switch (type) {
    case 'DAY':
    case 'WEEK':
      cut = fromEpochDay(toEpochDay(previous) + daysBetween(start, wall.date));
      break;
    case 'MONTH':
      if (wall.date.day <= daysInMonth(previous.year, previous.month))
        cut = { year: previous.year, month: previous.month, day: wall.date.day };
      break;
    case 'YEAR':
      if (wall.date.day <= daysInMonth(previous.year, wall.date.month))
        cut = { year: previous.year, month: wall.date.month, day: wall.date.day };
      else overflow = shiftBucket({ year: previous.year, month: wall.date.month, day: 1 }, 'MONTH', 1);
      break;
  }
  const base = {
    bucketStart: formatDate(start),
    previousStart: formatDate(previous),
    asOfLocal: formatWall(wall.date, wall.minuteOfDay),
  };
  if (!cut) {
    // No such day in the previous bucket (the 31st after a 30-day month, February 29th after a
    // common year): everything before the day after its last one counts.
    const end = startOfLocalDay(overflow, calendar.timezone);
    return {
      ...base,
      previousToLocal: formatWall(overflow, 0),
      cutoffDate: formatDate(overflow),
      partialFrom: end,
      partialTo: end,
    };
  }
  return {
    ...base,
    previousToLocal: formatWall(cut, wall.minuteOfDay),
    cutoffDate: formatDate(cut),
    partialFrom: startOfLocalDay(cut, calendar.timezone),
    partialTo: zonedInstant(cut, wall.minuteOfDay, calendar.timezone),
  };
}
