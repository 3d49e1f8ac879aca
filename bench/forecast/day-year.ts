/**
 * One-step accuracy of the DAY series through the year (#18; a complement of the accuracy table,
 * whose DAY rows score the last 28 days of each series: every DAY series of the benchmark ends on
 * 28 December, so those rows describe 1-28 December). Here each DAY series is also cut 61, 122, 183,
 * 244 and 305 days before its end and scored the same way (the last 28 days of the cut series, the
 * history before each one-step origin only), for `auto` and seasonal naive: the pooled WAPE, its
 * ratio and auto's 80% / 95% coverage per end month.
 *
 * With --peer, `auto` against statsforecast instead (#18 item 8), on the peer sample of each DAY
 * family (the series the main table's statsforecast rows use) cut the same way: statsforecast runs
 * on every cut series without cached scores (bench/results/forecast-peer.json, keyed by the values,
 * so the uncut series reuse the December scores), then the rows of the peer table, one per window.
 *
 * usage: npx tsx bench/forecast/day-year.ts [--per-family=N] (default 150; the real store_d too when installed)
 *        npx tsx bench/forecast/day-year.ts --peer [--peer-per-family=N] [--jobs=N] (defaults 25, 2)
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { scoreSeries, summarizeScores, type SeriesScore } from '../../pkg/forecast-engine/index.js';
import { generateBench, type BenchSeries } from './generate.js';
import { cachedFor, comparePeer, loadCache, PEER_BAR, peerSample, runPeer, type OursTimed } from './peer.js';
import { loadRealSeries } from './real.js';

const CUTS = [0, 61, 122, 183, 244, 305];
const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
};
const perFamily = option('per-family', 150);

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

/** `s` without its last `cut` days, and the 28 days its one-step origins score. */
function cutSeries(s: BenchSeries, cut: number): { series: BenchSeries; scored: string } {
  const values = s.values.slice(0, s.values.length - cut);
  return {
    series: { ...s, values },
    scored: `${addDays(s.start, values.length - 28)} – ${addDays(s.start, values.length - 1)}`,
  };
}

const f3 = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(3));

/** auto and seasonal naive on every DAY series, per family and window. */
function againstSeasonalNaive(): string[] {
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
        const { series, scored } = cutSeries(s, cut);
        const input = { bucketType: series.bucketType, values: series.values, start: series.start };
        auto.push(scoreSeries(input, 'auto'));
        sn.push(scoreSeries(input, 'seasonal_naive'));
        ends = scored;
      }
      const a = summarizeScores(auto);
      const b = summarizeScores(sn);
      const ratio = a.wape !== null && b.wape ? a.wape / b.wape : null;
      lines.push(
        `| ${family} | ${ends} | ${a.series} | ${f3(a.wape)} | ${f3(b.wape)} | ${f3(ratio)} | ${f3(a.coverage80)} | ${f3(a.coverage95)} |`,
      );
    }
  }
  return lines;
}

/** auto against statsforecast on the peer sample of each DAY family, per window. */
async function againstStatsforecast(): Promise<string[]> {
  const perPeerFamily = option('peer-per-family', 25);
  const sample = peerSample(daily, perPeerFamily).map((x) => x.series);
  const cuts: BenchSeries[] = [];
  // One row per family and window, named by the table's first two cells.
  const rowNames: string[] = [];
  for (const family of families)
    for (const cut of CUTS) {
      let row = '';
      for (const s of sample.filter((x) => x.family === family)) {
        const c = cutSeries(s, cut);
        row = `${family} | ${c.scored}`;
        // The uncut series keeps its id, so its cached December scores count; a cut one is new.
        cuts.push({ ...c.series, id: cut === 0 ? s.id : `${s.id}@-${cut}d`, family: row });
      }
      rowNames.push(row);
    }
  const cache = await loadCache();
  const work = join(process.cwd(), '.data', 'bench-forecast', 'day-year');
  await mkdir(work, { recursive: true });
  // Every cut series: each row (family and window) holds at most perPeerFamily of them.
  await runPeer(cache, cuts, perPeerFamily, work, undefined, option('jobs', 2));
  const cached = cachedFor(cache, cuts);
  const compared = cuts.filter((s) => cached.has(s.id));
  const input = (s: BenchSeries) => ({ bucketType: s.bucketType, values: s.values, start: s.start });
  // One untimed pass, so JIT compilation is not charged to the timed one (as the main benchmark).
  for (const s of compared) scoreSeries(input(s), 'auto');
  const ours = new Map<string, OursTimed>();
  for (const s of compared) {
    const c0 = process.cpuUsage();
    const score = scoreSeries(input(s), 'auto');
    const c = process.cpuUsage(c0);
    ours.set(s.id, { family: s.family, score, cpuSeconds: (c.user + c.system) / 1e6 });
  }
  const rows = comparePeer(ours, cached, rowNames, {});
  const ms = (cpu: number | undefined, n: number | undefined) =>
    cpu === undefined || !n ? '–' : ((cpu * 1000) / n).toFixed(1);
  const ci = (x: readonly [number, number] | null) => (x ? `${f3(x[0])}–${f3(x[1])}` : '–');
  const lines = [
    `| family | scored days | series | auto WAPE | best sf WAPE | model | ratio | 95% CI | auto median MASE | best sf MASE | model | ratio | 95% CI | auto CPU ms/series | ${PEER_BAR.join(' / ')} CPU ms/series | ahead |`,
    '|---|---|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.family} | ${r.series} | ${f3(r.auto.wape)} | ${f3(r.bestWape?.value)} | ${r.bestWape?.model ?? '–'} | ${f3(r.bestWape?.ratio)} | ${ci(r.wapeRatioCi)} | ${f3(r.auto.maseMedian)} | ${f3(r.bestMase?.value)} | ${r.bestMase?.model ?? '–'} | ${f3(r.bestMase?.ratio)} | ${ci(r.maseRatioCi)} | ${ms(r.auto.cpuSeconds, r.series)} | ${PEER_BAR.map((m) => ms(r.peers[m]?.cpuSeconds, r.peers[m]?.series)).join(' / ')} | ${r.ahead ? 'yes' : 'no'} |`,
    );
  }
  return lines;
}

const lines = args.includes('--peer') ? await againstStatsforecast() : againstSeasonalNaive();
process.stdout.write(`${lines.join('\n')}\n`);
