/**
 * Percentile bootstrap over series: the benchmark's families are samples of series, so a ratio
 * between two models' pooled scores carries sampling noise that one number hides.
 */
import { mulberry32 } from './generate.js';

/**
 * 95% percentile interval of `statistic` over `draws` resamples (with replacement) of the indices
 * 0..n-1. Each resample is handed to `statistic` as an index array; a resample it cannot score
 * (null) is skipped. Seeded: the same inputs give the same interval. Null below two items or when
 * fewer than half the resamples could be scored.
 */
export function bootstrapInterval(
  n: number,
  statistic: (sample: Int32Array) => number | null,
  draws = 2000,
  seed = 18,
): [number, number] | null {
  if (n < 2) return null;
  const rand = mulberry32(seed);
  const sample = new Int32Array(n);
  const values: number[] = [];
  for (let d = 0; d < draws; d++) {
    for (let i = 0; i < n; i++) sample[i] = Math.floor(rand() * n);
    const v = statistic(sample);
    if (v !== null && Number.isFinite(v)) values.push(v);
  }
  if (values.length < draws / 2) return null;
  values.sort((a, b) => a - b);
  const k = values.length;
  return [values[Math.floor(0.025 * k)] as number, values[Math.ceil(0.975 * k) - 1] as number];
}

/** Median of a sample's finite values, read through `at` (null when there are none). */
export function sampleMedian(sample: Int32Array, at: (i: number) => number | null): number | null {
  const v: number[] = [];
  for (const i of sample) {
    const x = at(i);
    if (x !== null && Number.isFinite(x)) v.push(x);
  }
  if (v.length === 0) return null;
  v.sort((a, b) => a - b);
  const h = v.length >> 1;
  return v.length % 2 ? (v[h] as number) : ((v[h - 1] as number) + (v[h] as number)) / 2;
}
