/**
 * Multi-step interval coverage of forecast paths (#18 items 3 and 6): on a deterministic sample of
 * series per family, at rolling origins whose next H buckets are observed, forecastPath is called
 * on the history before the origin only (nothing from the origin's future reaches the fit) and
 * every step h = 1..H is scored: is the outcome inside the 80% / 95% interval, and how far is the
 * point from it (pooled WAPE). H is the bucket type's default horizon (13 weeks, 12 months, 14 days).
 */
import {
  defaultHorizon,
  forecastPath,
  type ForecastPath,
  type ModelName,
  type SeriesInput,
} from '../../pkg/forecast-engine/index.js';
import type { BenchSeries } from './generate.js';

/** One path to score: a series and the origin (index of the first forecast bucket). */
export interface PathCase {
  readonly series: BenchSeries;
  readonly origin: number;
  readonly horizon: number;
}

/** Running sums of one step over many paths. */
export interface StepSums {
  count: number;
  hits80: number;
  hits95: number;
  absError: number;
  absActual: number;
}

/** Sums per step (index 0 = step 1) of one family. */
export type PathSums = StepSums[];

const emptySums = (): StepSums => ({ count: 0, hits80: 0, hits95: 0, absError: 0, absActual: 0 });

/** Adds s into t. */
function addSums(t: StepSums, s: StepSums): void {
  t.count += s.count;
  t.hits80 += s.hits80;
  t.hits95 += s.hits95;
  t.absError += s.absError;
  t.absActual += s.absActual;
}

/** How the sample is drawn. */
export interface PathSampleOptions {
  /** Series per family (evenly spaced over the family's series, in their order). */
  readonly perFamily: number;
  /** Series per family of DAY series (long histories, the costliest paths). */
  readonly perFamilyDay: number;
  /** Origins per series: n - H, n - 2H, ... (the futures do not overlap). */
  readonly origins: number;
  /**
   * Origins per DAY series, `daySpacing` days apart from n - H back (n - H, n - H - S, ...), so
   * that the DAY rows describe the year and not the fortnights before the series' end (every DAY
   * series of the benchmark ends on 28 December). @default origins, spaced H apart
   */
  readonly originsDay?: number;
  /** Days between the origins of a DAY series (at least H, so the futures do not overlap). @default H */
  readonly daySpacing?: number;
}

/**
 * The deterministic sample: per family, `perFamily` series spread evenly over the family (every
 * series when it has fewer), each at up to `origins` origins n - H, n - 2H, ... (DAY series: up to
 * `originsDay`, `daySpacing` apart); an origin needs at
 * least half the series before it (as the one-step protocol's origins) and at least 3 buckets.
 */
export function samplePathCases(series: readonly BenchSeries[], opt: PathSampleOptions): PathCase[] {
  const byFamily = new Map<string, BenchSeries[]>();
  for (const s of series) {
    let l = byFamily.get(s.family);
    if (!l) byFamily.set(s.family, (l = []));
    l.push(s);
  }
  const out: PathCase[] = [];
  for (const list of byFamily.values()) {
    const want = (list[0] as BenchSeries).bucketType === 'DAY' ? opt.perFamilyDay : opt.perFamily;
    const take = Math.min(want, list.length);
    for (let i = 0; i < take; i++) {
      const s = list[Math.floor((i * list.length) / take)] as BenchSeries;
      const H = defaultHorizon(s.bucketType);
      const n = s.values.length;
      const day = s.bucketType === 'DAY';
      const count = day ? (opt.originsDay ?? opt.origins) : opt.origins;
      const spacing = day ? Math.max(H, opt.daySpacing ?? H) : H;
      for (let j = 0; j < count; j++) {
        const origin = n - H - j * spacing;
        if (origin < Math.max(3, Math.ceil(n / 2))) break;
        out.push({ series: s, origin, horizon: H });
      }
    }
  }
  return out;
}

/** The input of a case: the history strictly before the origin, with the series' start date. */
export function caseInput(c: PathCase, dates = true): SeriesInput {
  return {
    bucketType: c.series.bucketType,
    values: c.series.values.slice(0, c.origin),
    ...(dates ? { start: c.series.start } : {}),
  };
}

/** Adds one path's outcomes (the case's next H observed values) to a family's sums. */
export function addPath(sums: PathSums, path: ForecastPath, actual: readonly number[]): void {
  path.steps.forEach((st, j) => {
    const a = actual[j];
    if (a === undefined) return;
    let s = sums[j];
    if (!s) sums[j] = s = emptySums();
    s.count++;
    if (a >= st.lo80 && a <= st.hi80) s.hits80++;
    if (a >= st.lo95 && a <= st.hi95) s.hits95++;
    s.absError += Math.abs(a - st.point);
    s.absActual += Math.abs(a);
  });
}

/** Coverage and WAPE over a range of steps [from, to] (1-based, inclusive). */
export interface BandScore {
  readonly steps: string;
  readonly count: number;
  readonly coverage80: number | null;
  readonly coverage95: number | null;
  readonly wape: number | null;
}

const r4 = (x: number | null): number | null => (x === null ? null : Number(x.toFixed(4)));

/** The sums of steps from..to (1-based, inclusive; clamped to the steps there are). */
export function bandSums(sums: readonly StepSums[], from: number, to: number): StepSums {
  const t = emptySums();
  for (let j = from - 1; j < Math.min(to, sums.length); j++) {
    const s = sums[j];
    if (s) addSums(t, s);
  }
  return t;
}

/** Coverage and WAPE of pooled sums. */
export function score(steps: string, t: StepSums): BandScore {
  return {
    steps,
    count: t.count,
    coverage80: t.count > 0 ? r4(t.hits80 / t.count) : null,
    coverage95: t.count > 0 ? r4(t.hits95 / t.count) : null,
    wape: t.absActual > 0 ? r4(t.absError / t.absActual) : null,
  };
}

/** The bands of a family's step sums: steps 1, 2-4, 5-H and H (H = its own horizon). */
export function familyBands(sums: readonly StepSums[]): StepSums[] {
  const H = sums.length;
  return [
    bandSums(sums, 1, 1),
    bandSums(sums, 2, Math.min(4, H)),
    bandSums(sums, 5, H),
    bandSums(sums, H, H),
  ];
}

export const BAND_NAMES = ['1', '2-4', '5-H', 'H'] as const;

/** Adds b's sums into a, step by step. */
export function mergeSums(a: PathSums, b: readonly StepSums[]): void {
  b.forEach((s, j) => {
    const t = a[j];
    if (t) addSums(t, s);
    else a[j] = { ...s };
  });
}

/** One row of the section: a family (or pool), its paths and scores by band and per step. */
export interface PathRow {
  readonly family: string;
  readonly series: number;
  readonly paths: number;
  /** Steps 1, 2-4, 5-H and H. */
  readonly bands: readonly BandScore[];
  /** Every step, 1..H. */
  readonly perStep: readonly BandScore[];
}

/**
 * The row of a family or a pool: its bands pool the members' bands (so band H is every member's own
 * last step), its per-step scores pool by step number.
 */
export function pathRow(
  family: string,
  series: number,
  paths: number,
  members: readonly (readonly StepSums[])[],
): PathRow {
  const bands: PathSums = [];
  const steps: PathSums = [];
  for (const m of members) {
    mergeSums(bands, familyBands(m));
    mergeSums(steps, m);
  }
  return {
    family,
    series,
    paths,
    bands: bands.map((b, i) => score(BAND_NAMES[i] as string, b)),
    perStep: steps.map((s, j) => score(String(j + 1), s)),
  };
}

/** The benchmark section: what was run and the rows. */
export interface PathSection {
  readonly model: ModelName;
  readonly protocol: string;
  readonly sample: PathSampleOptions;
  readonly cpuSeconds: number;
  readonly rows: readonly PathRow[];
}

/**
 * Scores the cases with `model` and pools them per family and in the given pools (ALL: synthetic,
 * REAL: real families); families are reported in the order given.
 */
export function pathCoverage(
  cases: readonly PathCase[],
  model: ModelName,
  families: readonly string[],
  pools: Record<string, readonly string[]>,
  sample: PathSampleOptions,
  dates = true,
  log: (msg: string) => void = () => {},
): PathSection {
  const sums = new Map<string, PathSums>();
  const seriesOf = new Map<string, Set<string>>();
  const paths = new Map<string, number>();
  const c0 = process.cpuUsage();
  let family = '';
  let f0 = process.cpuUsage();
  for (const c of cases) {
    const f = c.series.family;
    if (f !== family) {
      if (family) log(`paths ${family}: ${cpuSince(f0).toFixed(1)} s CPU`);
      family = f;
      f0 = process.cpuUsage();
    }
    const p = forecastPath(caseInput(c, dates), model, c.horizon);
    let s = sums.get(f);
    if (!s) sums.set(f, (s = []));
    addPath(s, p, c.series.values.slice(c.origin, c.origin + c.horizon));
    let ids = seriesOf.get(f);
    if (!ids) seriesOf.set(f, (ids = new Set()));
    ids.add(c.series.id);
    paths.set(f, (paths.get(f) ?? 0) + 1);
  }
  if (family) log(`paths ${family}: ${cpuSince(f0).toFixed(1)} s CPU`);
  const rows: PathRow[] = [];
  for (const fam of families) {
    const members = pools[fam] ?? [fam];
    const got: StepSums[][] = [];
    let nSeries = 0;
    let nPaths = 0;
    for (const m of members) {
      const s = sums.get(m);
      if (!s) continue;
      got.push(s);
      nSeries += seriesOf.get(m)?.size ?? 0;
      nPaths += paths.get(m) ?? 0;
    }
    if (nPaths > 0) rows.push(pathRow(fam, nSeries, nPaths, got));
  }
  return {
    model,
    protocol:
      'forecastPath on the history before each origin (origins n - H, n - 2H, ...; DAY series n - H, n - H - S, ... with S = sample.daySpacing days; each with at least half the series before it), every step h = 1..H scored against the observed value; H = 13 WEEK, 12 MONTH, 14 DAY; ALL and REAL pool steps of different horizons by step number',
    sample,
    cpuSeconds: Number(cpuSince(c0).toFixed(1)),
    rows,
  };
}

function cpuSince(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

const pct = (x: number | null): string => (x === null ? '–' : (100 * x).toFixed(1));
const f3 = (x: number | null): string => (x === null ? '–' : x.toFixed(3));

/** Markdown: coverage 80% / 95% and WAPE by band, per family. */
export function pathTable(p: PathSection): string[] {
  const out = [
    `\n### Multi-step interval coverage: ${p.model} paths, ${p.rows.find((r) => r.family === 'ALL')?.paths ?? 0} synthetic + ${p.rows.find((r) => r.family === 'REAL')?.paths ?? 0} real (${p.cpuSeconds} s CPU)\n`,
    '| family | series | paths | cover 80% step 1 | 2-4 | 5-H | H | cover 95% step 1 | 2-4 | 5-H | H | WAPE step 1 | 2-4 | 5-H | H |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of p.rows)
    out.push(
      `| ${r.family} | ${r.series} | ${r.paths} | ${r.bands.map((b) => pct(b.coverage80)).join(' | ')} | ${r.bands.map((b) => pct(b.coverage95)).join(' | ')} | ${r.bands.map((b) => f3(b.wape)).join(' | ')} |`,
    );
  return out;
}
