/**
 * Canonical serialisation and hashing, so that the same input gives the same hash and the same
 * output bytes in every process.
 */
import { createHash } from 'node:crypto';
import type { BucketType } from './types.js';

/**
 * Serialises a JSON-compatible value with object keys sorted, -0 written as 0 and non-finite numbers
 * as null; the result is byte-stable for equal values.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number')
    return Number.isFinite(value) ? JSON.stringify(value === 0 ? 0 : value) : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const arr = Array.from(value as ArrayLike<unknown>);
    return `[${arr.map((v) => canonicalJson(v)).join(',')}]`;
  }
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new TypeError(`cannot serialise a ${typeof value}`);
}

/** What identifies a forecast's input: the series, how it is bucketed, the model and the options. */
export interface HashInput {
  readonly bucketType: BucketType;
  readonly values: ArrayLike<number>;
  /** Start date of values[0]; absent for undated series (whose hash it leaves unchanged). */
  readonly start?: string | undefined;
  readonly model: string;
  readonly modelVersion: string;
  readonly origins: number;
  readonly selectionOrigins: number;
  /** Steps of a multi-horizon path; absent for the one-step forecast (whose hash it leaves unchanged). */
  readonly horizon?: number;
}

/** sha256 (hex) of the canonical serialisation of a forecast's input. */
export function inputHash(input: HashInput): string {
  const canonical = canonicalJson({
    format: 'catcast.forecast.input/1',
    bucketType: input.bucketType,
    model: input.model,
    modelVersion: input.modelVersion,
    origins: input.origins,
    selectionOrigins: input.selectionOrigins,
    horizon: input.horizon,
    start: input.start,
    values: Array.from(input.values),
  });
  return createHash('sha256').update(canonical).digest('hex');
}
