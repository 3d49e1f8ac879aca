/**
 * Periods in the merchant's own terms: which bucket is "current" in the merchant's timezone, how to
 * step between buckets and how to name them. Bucket arithmetic is pkg/buckets', the one owner.
 */
import {
  bucketStart,
  bucketStartOfDate,
  formatDate,
  parseDate,
  shiftBucket,
  type BucketType,
  type Calendar,
  type WeekStart,
} from '../../../pkg/buckets/index.js';

export type { BucketType, Calendar, WeekStart };

/** A timeframe the merchant can pick, as it appears in the URL. */
export type Timeframe = 'day' | 'week' | 'month' | 'year';

/** Timeframes in the order the switch shows them. */
export const TIMEFRAMES: readonly Timeframe[] = ['day', 'week', 'month', 'year'];

/** Timeframes that have next-period forecasts. */
export const FORECAST_TIMEFRAMES: readonly Timeframe[] = ['week', 'month', 'year'];

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTH_SHORT = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;
const MONTH_LONG = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** The API bucket type of a timeframe. */
export function bucketTypeOf(tf: Timeframe): BucketType {
  return tf.toUpperCase() as BucketType;
}

/** True when `text` is a real calendar date formatted YYYY-MM-DD. */
export function isDate(text: string): boolean {
  return parseDate(text) !== undefined;
}

function civil(start: string): { year: number; month: number; day: number } {
  const d = parseDate(start);
  if (!d) throw new RangeError(`not a date: ${start}`);
  return d;
}

function weekday(d: { year: number; month: number; day: number }): string {
  return DAY_NAMES[new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay()]!;
}

/** "Mon 16 Nov 2026" for a YYYY-MM-DD date. */
export function dayLabel(date: string): string {
  const d = civil(date);
  return `${weekday(d)} ${d.day} ${MONTH_SHORT[d.month - 1]} ${d.year}`;
}

/**
 * The bucket starting at `start` in the merchant's terms: "Mon 16 Nov 2026", "Week of Mon 16 Nov 2026",
 * "November 2026" or "2026".
 */
export function periodLabel(tf: Timeframe, start: string): string {
  const d = civil(start);
  switch (tf) {
    case 'day':
      return dayLabel(start);
    case 'week':
      return `Week of ${dayLabel(start)}`;
    case 'month':
      return `${MONTH_LONG[d.month - 1]} ${d.year}`;
    case 'year':
      return String(d.year);
  }
}

/** The dates a bucket covers, for a subtitle: "16 – 22 Nov 2026", "1 – 30 Nov 2026"; empty for a day. */
export function periodSpan(tf: Timeframe, start: string): string {
  if (tf === 'day') return '';
  const a = civil(start);
  const last = civil(formatDate(shiftBucket(shiftBucket(a, bucketTypeOf(tf), 1), 'DAY', -1)));
  const end = `${last.day} ${MONTH_SHORT[last.month - 1]} ${last.year}`;
  if (a.year !== last.year) return `${a.day} ${MONTH_SHORT[a.month - 1]} ${a.year} – ${end}`;
  if (a.month !== last.month) return `${a.day} ${MONTH_SHORT[a.month - 1]} – ${end}`;
  return `${a.day} – ${end}`;
}

/** The start of the bucket that contains `now` in the merchant's timezone and week start. */
export function currentPeriod(tf: Timeframe, now: Date, calendar: Calendar): string {
  return bucketStart(now, bucketTypeOf(tf), calendar);
}

/** The start of the bucket `steps` buckets after (negative: before) the one starting at `start`. */
export function shiftPeriod(tf: Timeframe, start: string, steps: number): string {
  return formatDate(shiftBucket(civil(start), bucketTypeOf(tf), steps));
}

/** The start of the bucket that contains the date `date` (YYYY-MM-DD), or undefined for a bad date. */
export function periodContaining(tf: Timeframe, date: string, weekStart: WeekStart): string | undefined {
  const d = parseDate(date);
  return d ? formatDate(bucketStartOfDate(d, bucketTypeOf(tf), weekStart)) : undefined;
}

/** "next week", "next month", ... for the forecast heading. */
export function nextPeriodWords(tf: Timeframe): string {
  return `next ${tf}`;
}

/** A short axis label: "16 Nov" for days and weeks, "Nov 2026" for months, "2026" for years. */
export function shortLabel(tf: Timeframe, start: string): string {
  const d = civil(start);
  switch (tf) {
    case 'day':
    case 'week':
      return `${d.day} ${MONTH_SHORT[d.month - 1]}`;
    case 'month':
      return `${MONTH_SHORT[d.month - 1]} ${d.year}`;
    case 'year':
      return String(d.year);
  }
}
