import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchSeries } from './generate.js';
import {
  PEER_PROTOCOL,
  cachedFor,
  comparePeer,
  emptyCache,
  ingestRun,
  isComplete,
  loadCache,
  measuredRange,
  parseCache,
  peerHeadline,
  peerSample,
  saveCache,
  scoreForecasts,
  seriesKey,
  spreadOrder,
  type OursTimed,
  type PeerEntry,
  type PeerSection,
} from './peer.js';

const monthly = (id: string, family: string, values: number[]): BenchSeries => ({
  id,
  family,
  bucketType: 'MONTH',
  start: '2020-01-01',
  values,
});
/** 30 months: 12 origins (the last 12 values), MASE scale from the first 18. */
const base = Array.from({ length: 30 }, (_, t) => 100 + (t % 12) * 10);

/** A peer output for the given series: every model forecasts `f(t)` at the last 12 buckets. */
function output(
  series: readonly BenchSeries[],
  models: Record<string, (t: number) => number>,
  cpu: Record<string, number>,
): { csv: string; timings: string } {
  const lines = ['unique_id,model,ds,forecast'];
  const timings: string[] = [];
  for (const [model, f] of Object.entries(models)) {
    for (const s of series)
      for (let t = s.values.length - 12; t < s.values.length; t++)
        lines.push(`${s.id},${model},${t},${f(t)}`);
    timings.push(
      JSON.stringify({ family: 'x', model, ids: series.map((s) => s.id), cpuSeconds: cpu[model] ?? 1 }),
    );
  }
  return { csv: lines.join('\n'), timings: timings.join('\n') };
}

describe('spreadOrder / peerSample', () => {
  it('is a permutation whose prefixes are spread over the range', () => {
    const o = spreadOrder(150);
    expect([...o].sort((a, b) => a - b)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(o.slice(0, 2)).toEqual([0, 75]);
    // The first 25 leave no gap wider than 150/16 + 1.
    const first = o.slice(0, 25).sort((a, b) => a - b);
    const gaps = first.slice(1).map((x, i) => x - (first[i] as number));
    expect(Math.max(...gaps, 150 - (first[first.length - 1] as number))).toBeLessThanOrEqual(10);
    expect(spreadOrder(1)).toEqual([0]);
    expect(spreadOrder(0)).toEqual([]);
  });

  it('takes the same number from every family, batched by 25', () => {
    const series = [
      ...Array.from({ length: 60 }, (_, i) => monthly(`a-${i}`, 'a', base)),
      ...Array.from({ length: 10 }, (_, i) => monthly(`b-${i}`, 'b', base)),
    ];
    const s = peerSample(series, 30);
    expect(s.filter((x) => x.series.family === 'a')).toHaveLength(30);
    expect(s.filter((x) => x.series.family === 'b')).toHaveLength(10);
    expect(s.filter((x) => x.batch === 1).map((x) => x.series.family)).toEqual(['a', 'a', 'a', 'a', 'a']);
  });
});

describe('seriesKey', () => {
  it('changes with any value, the bucket type or the length', () => {
    const s = monthly('a', 'f', base);
    expect(seriesKey(s)).toBe(seriesKey(monthly('other-id', 'g', [...base])));
    expect(seriesKey({ ...s, values: base.map((v, t) => (t === 3 ? v + 1 : v)) })).not.toBe(seriesKey(s));
    expect(seriesKey({ ...s, bucketType: 'WEEK' })).not.toBe(seriesKey(s));
    expect(seriesKey({ ...s, values: base.slice(1) })).not.toBe(seriesKey(s));
  });
});

describe('scoreForecasts', () => {
  it('scores the last k buckets like ours: clamped at 0, pooled, seasonal-naive MASE scale', () => {
    // 24 monthly values: k = 12 origins (t = 12..23); scale = mean |y[t] - y[t-12]| over t < 12 -> lag 1.
    const values = Array.from({ length: 24 }, (_, t) => (t < 12 ? t * 2 : 10));
    const s = monthly('a', 'f', values);
    const fc = new Map<number, number>();
    for (let t = 12; t < 24; t++) fc.set(t, t === 12 ? -5 : 12);
    fc.set(3, 999); // before the first origin: ignored
    const r = scoreForecasts(s, fc);
    expect(r).not.toBeNull();
    expect(r?.count).toBe(12);
    // t = 12: forecast clamped to 0 -> error 10; the other 11: error 2.
    expect(r?.absError).toBe(10 + 11 * 2);
    expect(r?.absActual).toBe(120);
    // 12 points before the origins, not longer than a season: lag-1 scale = 2.
    expect(r?.mase).toBeCloseTo(32 / 12 / 2, 10);
    expect(scoreForecasts(s, new Map())).toBeNull();
    expect(scoreForecasts(s, new Map([[12, NaN]]))).toBeNull();
  });
});

describe('ingestRun / cachedFor', () => {
  const a = monthly('a-0', 'a', base);
  const b = monthly(
    'a-1',
    'a',
    base.map((v) => v * 2),
  );
  const run = { at: '2026-12-06T08:00:00.000Z', statsforecast: '2.1.1', loadAverageAtStart: 3 };

  it('caches each finished (group, model) with an equal share of its CPU time', () => {
    const cache = emptyCache();
    const { csv, timings } = output(
      [a, b],
      { AutoETS: (t) => base[t] as number, AutoTheta: () => 0 },
      {
        AutoETS: 3,
        AutoTheta: 1,
      },
    );
    expect(ingestRun(cache, [a, b], csv, timings, run)).toBe(2);
    const e = cache.series['a-0'] as PeerEntry;
    expect(e.key).toBe(seriesKey(a));
    expect(e.measuredAt).toBe(run.at);
    expect(e.models.AutoETS?.absError).toBe(0);
    expect(e.models.AutoETS?.cpuSeconds).toBe(1.5);
    expect(e.models.AutoTheta?.cpuSeconds).toBe(0.5);
    // b is twice base: AutoETS (which forecast base) is off by base on every origin.
    expect(cache.series['a-1']?.models.AutoETS?.absError).toBe(base.slice(18).reduce((x, y) => x + y, 0));
    expect(cache.runs).toHaveLength(1);
    expect(cache.runs[0]?.cpuSeconds).toEqual({ AutoETS: 3, AutoTheta: 1 });
  });

  it('ignores forecasts of groups that did not finish (no timing line) and unknown series', () => {
    const cache = emptyCache();
    const { csv } = output([a], { AutoETS: () => 1 }, {});
    expect(ingestRun(cache, [a], csv, '', run)).toBe(0);
    expect(cache.series).toEqual({});
    expect(cache.runs).toHaveLength(0);
    const { csv: c2, timings } = output([a], { AutoETS: () => 1 }, {});
    expect(ingestRun(cache, [b], c2, timings, run)).toBe(0);
  });

  it('drops entries whose series changed, so a changed series is rerun rather than mis-compared', () => {
    const cache = emptyCache();
    const { csv, timings } = output([a, b], { AutoETS: () => 1 }, {});
    ingestRun(cache, [a, b], csv, timings, run);
    const changed = { ...b, values: b.values.map((v, t) => (t === 0 ? v + 1 : v)) };
    const hit = cachedFor(cache, [a, changed]);
    expect([...hit.keys()]).toEqual(['a-0']);
    expect(cachedFor(cache, [monthly('a-9', 'a', base)]).size).toBe(0);
  });

  it('adds a later run of some models to the same series, but starts afresh for a changed one', () => {
    const cache = emptyCache();
    const first = output([a, b], { AutoETS: () => 1 }, { AutoETS: 2 });
    ingestRun(cache, [a, b], first.csv, first.timings, run);
    const second = output([a], { MSTL: () => 2 }, { MSTL: 4 });
    const later = { ...run, at: '2026-12-06T09:00:00.000Z' };
    expect(ingestRun(cache, [a, b], second.csv, second.timings, later)).toBe(1);
    expect(Object.keys(cache.series['a-0']?.models ?? {}).sort()).toEqual(['AutoETS', 'MSTL']);
    expect(cache.series['a-0']?.models.AutoETS?.cpuSeconds).toBe(1);
    expect(cache.series['a-0']?.measuredAt).toBe(later.at);
    expect(Object.keys(cache.series['a-1']?.models ?? {})).toEqual(['AutoETS']);
    const changed = { ...a, values: a.values.map((v) => v + 1) };
    const third = output([changed], { MSTL: () => 2 }, {});
    ingestRun(cache, [changed], third.csv, third.timings, later);
    expect(Object.keys(cache.series['a-0']?.models ?? {})).toEqual(['MSTL']);
    expect(cache.series['a-0']?.key).toBe(seriesKey(changed));
  });

  it('counts an entry without AutoETS, AutoTheta or AutoARIMA as incomplete (rerun)', () => {
    const cache = emptyCache();
    const part = output([a], { AutoETS: () => 1, AutoTheta: () => 1, MSTL: () => 1 }, {});
    ingestRun(cache, [a], part.csv, part.timings, run);
    expect(isComplete(cache.series['a-0'])).toBe(false);
    const rest = output([a], { AutoARIMA: () => 1 }, {});
    ingestRun(cache, [a], rest.csv, rest.timings, run);
    expect(isComplete(cache.series['a-0'])).toBe(true);
    expect(isComplete(undefined)).toBe(false);
  });

  it('rejects a forecasts file without the expected columns', () => {
    expect(() => ingestRun(emptyCache(), [a], 'id,y\n', '', run)).toThrow(/unexpected header/);
  });
});

describe('cache file', () => {
  it('round-trips, and a file of another protocol or format reads as empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peer-cache-'));
    try {
      const path = join(dir, 'forecast-peer.json');
      expect(await loadCache(path)).toEqual(emptyCache());
      const cache = emptyCache();
      const a = monthly('a-0', 'a', base);
      const { csv, timings } = output([a], { AutoETS: () => 100 }, {});
      ingestRun(cache, [a], csv, timings, { at: 'T', statsforecast: '2.1.1', loadAverageAtStart: null });
      await saveCache(cache, path);
      expect(await loadCache(path)).toEqual(cache);
      const text = await readFile(path, 'utf8');
      expect(parseCache(text.replace(PEER_PROTOCOL, 'older protocol')).series).toEqual({});
      await writeFile(path, JSON.stringify({ format: 2, protocol: PEER_PROTOCOL, series: {} }));
      expect(await loadCache(path)).toEqual(emptyCache());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('comparePeer', () => {
  const sums = (absError: number, absActual: number) => ({
    count: 10,
    absError,
    absActual,
    smape: 0,
    hits80: 0,
    hits95: 0,
  });
  const peerScore = (absError: number, cpuSeconds: number, mase: number) => ({
    count: 10,
    absError,
    absActual: 100,
    smape: 0,
    mase,
    cpuSeconds,
  });
  const entry = (family: string, models: PeerEntry['models']): PeerEntry => ({
    key: 'k',
    family,
    measuredAt: `2026-12-0${family === 'a' ? 1 : 2}T00:00:00.000Z`,
    statsforecast: '2.1.1',
    models,
  });
  // Family a: two series; ours 10/100 each, MASE 0.5; AutoETS 12 (MASE 0.6), AutoTheta 9 (MASE 0.7),
  // MSTL only on one series (so it cannot be the bar of the row). Family b: ours worse than AutoETS.
  const ours = new Map<string, OursTimed>([
    ['a1', { family: 'a', score: { sums: sums(10, 100), mase: 0.5 }, cpuSeconds: 0.01 }],
    ['a2', { family: 'a', score: { sums: sums(10, 100), mase: 0.5 }, cpuSeconds: 0.01 }],
    ['b1', { family: 'b', score: { sums: sums(30, 100), mase: 1.2 }, cpuSeconds: 0.5 }],
    ['c1', { family: 'c', score: { sums: sums(1, 100), mase: 0.1 }, cpuSeconds: 0.01 }],
  ]);
  const peer = new Map<string, PeerEntry>([
    [
      'a1',
      entry('a', {
        AutoETS: peerScore(12, 1, 0.6),
        AutoTheta: peerScore(9, 0.15, 0.7),
        MSTL: peerScore(1, 1, 0.1),
      }),
    ],
    ['a2', entry('a', { AutoETS: peerScore(12, 1, 0.6), AutoTheta: peerScore(9, 0.15, 0.7) })],
    ['b1', entry('b', { AutoETS: peerScore(20, 2, 1.0), AutoTheta: peerScore(25, 1, 1.1) })],
  ]);
  const rows = comparePeer(ours, peer, ['a', 'b', 'c', 'ALL'], { ALL: ['a', 'b', 'c'] });

  it('holds auto against the best model that forecast every series of the row', () => {
    const a = rows.find((r) => r.family === 'a');
    expect(a?.series).toBe(2);
    expect(a?.peers.MSTL?.series).toBe(1);
    expect(a?.bestWape?.model).toBe('AutoTheta');
    expect(a?.bestWape?.ratio).toBeCloseTo(10 / 9, 10);
    expect(a?.bestMase?.model).toBe('AutoETS');
    expect(a?.bestMase?.ratio).toBeCloseTo(0.5 / 0.6, 10);
    // auto 0.02 s vs the fastest bar model (AutoTheta, 0.3 s).
    expect(a?.timeRatioVsFastest?.model).toBe('AutoTheta');
    expect(a?.timeRatioVsFastest?.ratio).toBeCloseTo(0.02 / 0.3, 10);
    expect(a?.ahead).toBe(false); // behind AutoTheta on WAPE
  });

  it('says ahead only when WAPE, median MASE and the tenth of the time all hold', () => {
    const b = rows.find((r) => r.family === 'b');
    expect(b?.bestWape?.model).toBe('AutoETS');
    expect(b?.ahead).toBe(false);
    // On a1 alone MSTL forecast every series of the row, so it is part of the bar (WAPE 0.01).
    const good = comparePeer(
      new Map([['a1', { family: 'a', score: { sums: sums(0.5, 100), mase: 0.05 }, cpuSeconds: 0.01 }]]),
      peer,
      ['a'],
      {},
    );
    expect(good[0]?.bestWape?.model).toBe('MSTL');
    expect(good[0]?.ahead).toBe(true);
    const slow = comparePeer(
      new Map([['a1', { family: 'a', score: { sums: sums(0.5, 100), mase: 0.05 }, cpuSeconds: 0.02 }]]),
      peer,
      ['a'],
      {},
    );
    expect(slow[0]?.timeRatioVsFastest?.ratio).toBeCloseTo(0.02 / 0.15, 10);
    expect(slow[0]?.ahead).toBe(false);
  });

  it('gives bootstrap intervals of both ratios against the same best models', () => {
    // Family a: every series has the same errors, so every resample gives the point ratio.
    const a = rows.find((r) => r.family === 'a');
    expect(a?.wapeRatioCi?.[0]).toBeCloseTo(10 / 9, 10);
    expect(a?.wapeRatioCi?.[1]).toBeCloseTo(10 / 9, 10);
    expect(a?.maseRatioCi?.[0]).toBeCloseTo(0.5 / 0.6, 10);
    // ALL: behind AutoTheta's WAPE on every series (10/9 on a, 30/25 on b), so the interval lies
    // above 1 around the pooled ratio; on MASE the series disagree (a: 0.5 vs AutoETS's 0.6, b: 1.2
    // vs 1.0), so the interval holds 1.
    const all = rows.find((r) => r.family === 'ALL');
    const [lo, hi] = all?.wapeRatioCi as [number, number];
    expect(lo).toBeGreaterThan(1);
    expect(lo).toBeLessThan(all?.bestWape?.ratio as number);
    expect(hi).toBeGreaterThan(all?.bestWape?.ratio as number);
    const [mlo, mhi] = all?.maseRatioCi as [number, number];
    expect(mlo).toBeLessThan(1);
    expect(mhi).toBeCloseTo(1.2, 10);
  });

  it('pools only series both sides have and skips rows with none', () => {
    expect(rows.find((r) => r.family === 'c')).toBeUndefined();
    const all = rows.find((r) => r.family === 'ALL');
    expect(all?.series).toBe(3);
    expect(all?.auto.wape).toBeCloseTo(50 / 300, 10);
    expect(all?.auto.cpuSeconds).toBeCloseTo(0.52, 10);
    expect(all?.peers.AutoETS?.wape).toBeCloseTo(44 / 300, 10);
    expect(measuredRange(peer)).toEqual({
      first: '2026-12-01T00:00:00.000Z',
      last: '2026-12-02T00:00:00.000Z',
    });
  });

  it('gives the scenario its headline from a forecast.json peer section, with the peer run date', () => {
    const section: PeerSection = {
      version: '2.1.1',
      measuredAt: measuredRange(peer) as { first: string; last: string },
      series: 3,
      engine: { auto: '2.1.0' },
      protocol: PEER_PROTOCOL,
      oursCpuSeconds: {},
      peerCpuSeconds: {},
      rows,
    };
    const h = peerHeadline(section);
    expect(h?.measuredAt).toBe('2026-12-02T00:00:00.000Z');
    expect(h?.series).toBe(3);
    expect(h?.wapeRatioAutoVsAutoETS).toBeCloseTo(50 / 44, 3);
    expect(h?.timeRatioAutoVsAutoETS).toBeCloseTo(0.52 / 4, 3);
    expect(peerHeadline(section, 'REAL')).toBeNull();
    expect(peerHeadline(null)).toBeNull();
    const before = { version: '2.1.1', seconds: { AutoETS: 62 } } as unknown as PeerSection;
    expect(peerHeadline(before)).toBeNull();
  });
});
