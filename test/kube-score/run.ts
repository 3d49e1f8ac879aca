// kube-score (a third-party manifest checker) on the chart as a user installs it: `helm template`
// with the default values. Every finding must be fixed in the cdk8s constructs or listed with its
// reason in test/kube-score/ignore.yaml.
//   npx tsx test/kube-score/run.ts --helm PATH --kube-score PATH     (make test-kube-score builds both)
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

interface Waiver {
  check: string;
  objects: string[];
  reason: string;
}
interface ScoredObject {
  type_meta: { kind: string };
  object_meta: { name: string };
  checks: {
    check: { id: string; name: string };
    grade: number;
    skipped: boolean;
    comments: { path: string; summary: string; description: string }[] | null;
  }[];
}
export interface Finding {
  readonly object: string;
  readonly check: string;
  readonly grade: 'CRITICAL' | 'WARNING';
  readonly summary: string;
}

/** Non-skipped checks graded below OK (kube-score: 1 critical, 5 warning, 10 ok). */
export function findings(scored: ScoredObject[]): { findings: Finding[]; ok: number } {
  const out: Finding[] = [];
  let ok = 0;
  for (const o of scored)
    for (const c of o.checks) {
      if (c.skipped) continue;
      if (c.grade >= 10) {
        ok++;
        continue;
      }
      const summary = (c.comments ?? []).map((m) => `${m.path ? `(${m.path}) ` : ''}${m.summary}`).join('; ');
      out.push({
        object: `${o.type_meta.kind}/${o.object_meta.name}`,
        check: c.check.id,
        grade: c.grade <= 1 ? 'CRITICAL' : 'WARNING',
        summary: summary || c.check.name,
      });
    }
  return { findings: out, ok };
}

/** Splits findings into waived and unexplained, and names waivers that matched nothing. */
export function applyWaivers(
  all: readonly Finding[],
  waivers: readonly Waiver[],
): { unexplained: Finding[]; waived: Finding[]; unused: Waiver[] } {
  const covers = (w: Waiver, f: Finding) =>
    w.check === f.check && (w.objects.includes('*') || w.objects.includes(f.object));
  const used = new Set<Waiver>();
  const unexplained: Finding[] = [];
  const waived: Finding[] = [];
  for (const f of all) {
    const w = waivers.find((x) => covers(x, f));
    if (w) {
      used.add(w);
      waived.push(f);
    } else unexplained.push(f);
  }
  return { unexplained, waived, unused: waivers.filter((w) => !used.has(w)) };
}

function main(): number {
  const { values: args } = parseArgs({
    options: {
      helm: { type: 'string', default: 'helm' },
      'kube-score': { type: 'string', default: 'kube-score' },
      'kube-version': { type: 'string', default: '1.31.0' },
    },
  });
  const waivers = parse(readFileSync(join(here, 'ignore.yaml'), 'utf8')) as Waiver[];
  for (const w of waivers)
    if (!w.check || !Array.isArray(w.objects) || !(w.reason?.trim().length > 20))
      throw new Error(`ignore.yaml: every entry needs check, objects and a reason: ${JSON.stringify(w)}`);
  const template = (release: string, ...set: string[]) =>
    execFileSync(
      args.helm,
      ['template', release, join(root, 'charts/catcast'), '--kube-version', args['kube-version'], ...set],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
  // The defaults, plus a second release with the objects only lag autoscaling mode adapter renders
  // (catcast's own external-metrics provider, its APIService and RBAC).
  const rendered = `${template('catcast')}\n---\n${template('lag', '--set', 'aggregator.autoscaling.mode=adapter')}`;
  // kube-score exits 1 when it finds anything critical; the JSON report is what counts here.
  const run = spawnSync(args['kube-score'], ['score', '-o', 'json', '-'], {
    input: rendered,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (run.status !== 0 && run.status !== 1) {
    console.error(`kube-score failed (exit ${run.status}): ${run.stderr}`);
    return 1;
  }
  const scored = JSON.parse(run.stdout) as ScoredObject[];
  const { findings: all, ok } = findings(scored);
  const { unexplained, waived, unused } = applyWaivers(all, waivers);
  console.log(
    `kube-score on ${scored.length} rendered objects: ${ok} checks OK, ${all.length} findings, ` +
      `${waived.length} waived by test/kube-score/ignore.yaml (${waivers.map((w) => w.check).join(', ')})`,
  );
  for (const f of unexplained) console.error(`[${f.grade}] ${f.object}: ${f.check}: ${f.summary}`);
  for (const w of unused)
    console.error(`ignore.yaml: "${w.check}" for ${w.objects.join(', ')} matches no finding`);
  return unexplained.length === 0 && unused.length === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
