/**
 * One-step accuracy of the DAY series through the year (#18; a complement of the accuracy table,
 * whose DAY rows score the last 28 days of each series: every DAY series of the benchmark ends on
 * 28 December, so those rows describe 1-28 December). Here each DAY series is also cut 61, 122, 183,
 * 244 and 305 days before its end and scored the same way (the last 28 days of the cut series, the
 * history before each one-step origin only), for `auto` and seasonal naive: the pooled WAPE, its
 * ratio and auto's 80% / 95% coverage per end month.
 *
 * usage: npx tsx bench/forecast/day-year.ts [--per-family=N] (default 150; the real store_d too when installed)
 */
import { scoreSeries, summarizeScores, type SeriesScore } from '../../pkg/forecast-engine/index.js';
import { generateBench, type BenchSeries } from './generate.js';
import { loadRealSeries } from './real.js';

const CUTS = [0, 61, 122, 183, 244, 305];
const arg = process.argv.slice(2).find((a) => a.startsWith('--per-family='));
const perFamily = arg ? Number(arg.slice('--per-family='.length)) : 150;

let real: BenchSeries[] = [];
try {
  real = loadRealSeries().filter((s) => s.bucketType === 'DAY');
} catch {
  process.stderr.write('day-year: no real series installed (bench/forecast/real-data.sh); synthetic only\n');
}
const daily = [...generateBench(perFamily).filter((s) => s.bucketType === 'DAY'), ...real];
const families = [...new Set(daily.map((s) => s.family))];

/** The date `days` after `start` (YYYY-MM-DD). */
const addDays = (start: string, days: number) =>
  new Date(Date.parse(`${start}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const f3 = (x: number | null) => (x === null ? '–' : x.toFixed(3));
const lines = [
  '| family | scored days | series | auto WAPE | SN WAPE | ratio | auto cover 80% | auto cover 95% |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
];
for (const family of families) {
  for (const cut of CUTS) {
    const auto: SeriesScore[] = [];
    const sn: SeriesScore[] = [];
    let ends = '';
    for (const s of daily.filter((x) => x.family === family)) {
      const values = s.values.slice(0, s.values.length - cut);
      const input = { bucketType: s.bucketType, values, start: s.start };
      auto.push(scoreSeries(input, 'auto'));
      sn.push(scoreSeries(input, 'seasonal_naive'));
      ends = `${addDays(s.start, values.length - 28)} – ${addDays(s.start, values.length - 1)}`;
    }
    const a = summarizeScores(auto);
    const b = summarizeScores(sn);
    const ratio = a.wape !== null && b.wape ? a.wape / b.wape : null;
    lines.push(
      `| ${family} | ${ends} | ${a.series} | ${f3(a.wape)} | ${f3(b.wape)} | ${f3(ratio)} | ${f3(a.coverage80)} | ${f3(a.coverage95)} |`,
    );
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
