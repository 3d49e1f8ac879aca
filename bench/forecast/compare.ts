/**
 * Before/after table of one model from two per-series score files written by
 * `run.ts --series-out=FILE` (e.g. main's engine vs a branch's): per family its pooled WAPE before
 * and after, the change with a 95% bootstrap confidence interval over series of the after/before
 * WAPE ratio, the median MASE before and after, and the best other model of the after run.
 *
 * usage: npx tsx bench/forecast/compare.ts BEFORE.json AFTER.json [--model=auto] [--draws=2000]
 */
import { readFileSync } from 'node:fs';
import { bootstrapInterval } from './bootstrap.js';
import { FAMILIES } from './generate.js';
import { REAL_FAMILIES } from './real.js';

interface Score {
  readonly sums: { readonly count: number; readonly absError: number; readonly absActual: number };
  readonly mase: number | null;
}
interface SeriesFile {
  readonly dates: boolean;
  readonly series: Record<string, { family: string; models: Record<string, Score> }>;
}

/** One series' pooled-WAPE ingredients for the model, before and after. */
interface Pair {
  readonly before: number;
  readonly after: number;
  readonly actual: number;
}

/** Pooled WAPE of a list of scores (null without actuals). */
export function pooledWape(scores: readonly Score[]): number | null {
  let e = 0;
  let a = 0;
  for (const s of scores) {
    if (s.sums.count === 0) continue;
    e += s.sums.absError;
    a += s.sums.absActual;
  }
  return a > 0 ? e / a : null;
}

/** Median of the non-null values (null when there are none). */
export function median(xs: readonly (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const h = v.length >> 1;
  return v.length % 2 ? (v[h] as number) : ((v[h - 1] as number) + (v[h] as number)) / 2;
}

/**
 * 95% percentile bootstrap interval of sum(after) / sum(before) absolute errors, resampling series
 * with replacement (the actuals are the same in both runs, so this is the after/before WAPE ratio).
 * Seeded: the same pairs give the same interval.
 */
export function bootstrapRatio(pairs: readonly Pair[], draws = 2000, seed = 18): [number, number] | null {
  return bootstrapInterval(
    pairs.length,
    (sample) => {
      let b = 0;
      let a = 0;
      for (const i of sample) {
        const p = pairs[i] as Pair;
        b += p.before;
        a += p.after;
      }
      return b > 0 ? a / b : 1;
    },
    draws,
    seed,
  );
}

function main(): void {
  const argv = process.argv.slice(2);
  const files = argv.filter((a) => !a.startsWith('--'));
  if (files.length !== 2) {
    process.stderr.write('usage: compare.ts BEFORE.json AFTER.json [--model=auto] [--draws=2000]\n');
    process.exit(2);
  }
  const opt = (name: string, dflt: string): string =>
    argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
  const model = opt('model', 'auto');
  const draws = Number(opt('draws', '2000'));
  const [before, after] = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as SeriesFile) as [
    SeriesFile,
    SeriesFile,
  ];
  const ids = Object.keys(after.series).filter(
    (id) => before.series[id]?.models[model] && after.series[id]?.models[model],
  );
  const present = new Set(ids.map((id) => after.series[id]?.family));
  const pools: Record<string, readonly string[]> = { ALL: FAMILIES, REAL: REAL_FAMILIES };
  const rows = [
    ...FAMILIES.filter((f) => present.has(f)),
    'ALL',
    ...REAL_FAMILIES.filter((f) => present.has(f)),
    'REAL',
  ];
  const fmt = (x: number | null, d = 4): string => (x === null ? '–' : x.toFixed(d));
  const out = [
    `| family | series | ${model} WAPE before | after | change | 95% CI (series bootstrap) | median MASE before | after | best other model (after) | its WAPE | ${model} / best |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
  ];
  for (const row of rows) {
    const fams = new Set(pools[row] ?? [row]);
    const mine = ids.filter((id) => fams.has(after.series[id]?.family as string));
    if (mine.length === 0) continue;
    const b = mine.map((id) => before.series[id]?.models[model] as Score);
    const a = mine.map((id) => after.series[id]?.models[model] as Score);
    const wb = pooledWape(b);
    const wa = pooledWape(a);
    const pairs = b.map((s, i) => ({
      before: s.sums.absError,
      after: (a[i] as Score).sums.absError,
      actual: s.sums.absActual,
    }));
    const ci = row in pools ? null : bootstrapRatio(pairs, draws);
    const others = Object.keys(after.series[mine[0] as string]?.models ?? {}).filter((m) => m !== model);
    let best: { name: string; wape: number } | null = null;
    for (const o of others) {
      const w = pooledWape(mine.map((id) => after.series[id]?.models[o]).filter((s): s is Score => !!s));
      if (w !== null && (best === null || w < best.wape)) best = { name: o, wape: w };
    }
    const change = wb !== null && wa !== null && wb > 0 ? (wa / wb - 1) * 100 : null;
    out.push(
      `| ${row} | ${mine.length} | ${fmt(wb)} | ${fmt(wa)} | ${change === null ? '–' : `${change > 0 ? '+' : ''}${change.toFixed(1)}%`} | ${ci ? `${ci[0].toFixed(3)}–${ci[1].toFixed(3)}` : ''} | ${fmt(median(b.map((s) => s.mase)), 3)} | ${fmt(median(a.map((s) => s.mase)), 3)} | ${best?.name ?? '–'} | ${fmt(best?.wape ?? null)} | ${best && wa !== null ? (wa / best.wape).toFixed(3) : '–'} |`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

if (process.argv[1]?.endsWith('compare.ts')) main();
