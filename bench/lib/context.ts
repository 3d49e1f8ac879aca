/** What every scenario receives: the dependencies, the size mode, and the peak-RSS ledger. */
import type { Infra } from './env.js';
import type { Service } from './proc.js';

/** Shared state of one benchmark run. */
export interface BenchContext {
  readonly infra: Infra;
  /** Tiny sizes and seconds-long runs (make bench-smoke): checks that every benchmark produces numbers. */
  readonly smoke: boolean;
  /** Unique per run: topic names, consumer groups, external order ids. */
  readonly runId: string;
  /** Records a service's peak RSS (MiB) under the named load. */
  noteRss(service: Service, load: string): void;
}

/** Rounds to `d` decimals (null stays null). */
export function round(x: number | null | undefined, d = 2): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/** Percentile (nearest rank) of an unsorted sample. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
