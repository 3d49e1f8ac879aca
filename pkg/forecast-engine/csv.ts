/**
 * Reads the evaluation CSV (`merchant,category,bucket_start,total_sales`) into zero-filled series.
 * Each series runs from its first bucket to its merchant's last bucket in the file ("now").
 */
import type { BucketType } from './types.js';

/** The CSV header the evaluator expects. */
export const CSV_HEADER = ['merchant', 'category', 'bucket_start', 'total_sales'] as const;

/** A bad CSV: the message names the line and the field. */
export class CsvInputError extends Error {
  override readonly name = 'CsvInputError';
  constructor(
    readonly line: number,
    readonly field: string | null,
    detail: string,
  ) {
    super(`line ${line}${field ? `, field ${field}` : ''}: ${detail}`);
  }
}

/** One zero-filled series read from the CSV. */
export interface CsvSeries {
  readonly merchant: string;
  readonly category: string;
  /** bucket_start of values[0]. */
  readonly start: string;
  readonly values: number[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Splits one CSV line, honouring double quotes ("" inside quotes is a quote); null when a quote is unbalanced. */
function splitLine(line: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quoted) return null;
  out.push(cur);
  return out;
}

/** Position of a bucket on a common integer axis for its bucket type (days, weeks are days too). */
function bucketIndex(date: string, bucketType: BucketType, line: number): number {
  const m = DATE.exec(date);
  if (!m) throw new CsvInputError(line, 'bucket_start', `"${date}" is not a date YYYY-MM-DD`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    throw new CsvInputError(line, 'bucket_start', `"${date}" is not a valid calendar date`);
  switch (bucketType) {
    case 'DAY':
    case 'WEEK':
      return ms / 86_400_000;
    case 'MONTH':
      if (day !== 1)
        throw new CsvInputError(line, 'bucket_start', `"${date}" is not the first day of a month`);
      return year * 12 + month - 1;
    case 'YEAR':
      if (day !== 1 || month !== 1)
        throw new CsvInputError(line, 'bucket_start', `"${date}" is not January 1st`);
      return year;
  }
}

function formatIndex(index: number, bucketType: BucketType): string {
  if (bucketType === 'MONTH')
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
  if (bucketType === 'YEAR') return `${index}-01-01`;
  return new Date(index * 86_400_000).toISOString().slice(0, 10);
}

/** Parses the evaluation CSV into series, in order of first appearance; throws {@link CsvInputError}. */
export function parseSeriesCsv(text: string, bucketType: BucketType): CsvSeries[] {
  const lines = text.split(/\r?\n/);
  const header = splitLine((lines[0] ?? '').replace(/^\uFEFF/, ''))?.map((h) => h.trim());
  if (!header || header.join(',') !== CSV_HEADER.join(','))
    throw new CsvInputError(1, null, `header must be "${CSV_HEADER.join(',')}", got "${lines[0] ?? ''}"`);
  const step = bucketType === 'WEEK' ? 7 : 1;
  interface Acc {
    merchant: string;
    category: string;
    points: Map<number, { value: number; line: number }>;
    first: number;
  }
  const series = new Map<string, Acc>();
  const merchantEnd = new Map<string, { index: number; line: number }>();
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] as string;
    const line = i + 1;
    if (raw.trim() === '') continue;
    const f = splitLine(raw);
    if (!f) throw new CsvInputError(line, null, 'unbalanced double quote');
    if (f.length !== 4) throw new CsvInputError(line, null, `expected 4 fields, got ${f.length}`);
    const [merchant, category, date, sales] = f.map((v) => v.trim()) as [string, string, string, string];
    if (merchant === '') throw new CsvInputError(line, 'merchant', 'is empty');
    if (category === '') throw new CsvInputError(line, 'category', 'is empty');
    const index = bucketIndex(date, bucketType, line);
    if (!DECIMAL.test(sales))
      throw new CsvInputError(line, 'total_sales', `"${sales}" is not a decimal number`);
    const value = Number(sales);
    const end = merchantEnd.get(merchant);
    if (end && step === 7 && (((index - end.index) % 7) + 7) % 7 !== 0)
      throw new CsvInputError(
        line,
        'bucket_start',
        `week ${date} does not start on the same weekday as merchant ${merchant}'s week on line ${end.line}`,
      );
    if (!end || index > end.index) merchantEnd.set(merchant, { index, line });
    const key = `${merchant}\u0000${category}`;
    let acc = series.get(key);
    if (!acc) {
      acc = { merchant, category, points: new Map(), first: index };
      series.set(key, acc);
    }
    const dup = acc.points.get(index);
    if (dup)
      throw new CsvInputError(
        line,
        'bucket_start',
        `duplicate bucket ${date} for merchant ${merchant}, category ${category} (first on line ${dup.line})`,
      );
    acc.points.set(index, { value, line });
    if (index < acc.first) acc.first = index;
  }
  return [...series.values()].map((acc) => {
    const end = (merchantEnd.get(acc.merchant) as { index: number }).index;
    const len = (end - acc.first) / step + 1;
    const values = new Array<number>(len).fill(0);
    for (const [index, p] of acc.points) values[(index - acc.first) / step] = p.value;
    return {
      merchant: acc.merchant,
      category: acc.category,
      start: formatIndex(acc.first, bucketType),
      values,
    };
  });
}
