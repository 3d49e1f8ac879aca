// Evaluates the chart's alerting rules with Prometheus's own rule engine (`promtool test rules`).
//   npx tsx test/alerts/run.ts [--promtool PATH]     (make test-alerts builds promtool first)
// The rule groups are taken from the PrometheusRule the cdk8s constructs synthesize with the chart's
// default values (release "catcast"), never copied by hand, and written next to a copy of
// alerts.test.yaml in a temporary directory. Before promtool runs, every alert of the rules must have
// a test in which it fires and one in which it stays silent, and every alert a test names must exist.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { synthObjects } from '../../cdk8s/synth.js';
import { mergeValues, validateValues, defaultValues } from '../../cdk8s/values.js';

const here = dirname(fileURLToPath(import.meta.url));

interface RuleGroup {
  name: string;
  rules: { alert?: string; expr: string; for?: string; annotations?: Record<string, string> }[];
}
interface AlertTest {
  alertname: string;
  exp_alerts?: unknown[] | null;
}
interface TestFile {
  rule_files: string[];
  tests: { name?: string; alert_rule_test?: AlertTest[] }[];
}

/** The rule groups of the chart's PrometheusRule, synthesized with the default values. */
export function chartRuleGroups(): RuleGroup[] {
  const values = validateValues(
    mergeValues(defaultValues(), { monitoring: { prometheusRule: { enabled: true } } }),
  );
  const rule = synthObjects(values, 'catcast').find((o) => o.kind === 'PrometheusRule');
  if (!rule) throw new Error('the chart synthesized no PrometheusRule');
  return (rule.spec as { groups: RuleGroup[] }).groups;
}

/** Names the alerts that have no firing test, no silent test, or tests but no rule. */
export function coverageProblems(groups: RuleGroup[], file: TestFile): string[] {
  const alerts = new Set(groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : []))));
  const fires = new Set<string>();
  const silent = new Set<string>();
  for (const t of file.tests)
    for (const a of t.alert_rule_test ?? [])
      ((a.exp_alerts ?? []).length > 0 ? fires : silent).add(a.alertname);
  const problems: string[] = [];
  for (const a of alerts) {
    if (!fires.has(a)) problems.push(`${a}: no test in which it fires`);
    if (!silent.has(a)) problems.push(`${a}: no test in which it stays silent`);
  }
  for (const a of new Set([...fires, ...silent]))
    if (!alerts.has(a)) problems.push(`${a}: tested, but the chart has no such alert`);
  return problems;
}

/** The tests with each expected alert's annotations filled from its rule (they are static text). */
function withAnnotations(groups: RuleGroup[], file: TestFile): TestFile {
  const annotations = new Map(groups.flatMap((g) => g.rules.map((r) => [r.alert, r.annotations])));
  return {
    ...file,
    rule_files: ['rules.yaml'],
    tests: file.tests.map((t) => ({
      ...t,
      alert_rule_test: t.alert_rule_test?.map((a) => ({
        ...a,
        exp_alerts: (a.exp_alerts ?? []).map((e) => ({
          exp_annotations: annotations.get(a.alertname),
          ...(e as object),
        })),
      })),
    })),
  };
}

function main(): number {
  const { values: args } = parseArgs({ options: { promtool: { type: 'string', default: 'promtool' } } });
  const groups = chartRuleGroups();
  const tests = parse(readFileSync(join(here, 'alerts.test.yaml'), 'utf8')) as TestFile;
  const problems = coverageProblems(groups, tests);
  if (problems.length > 0) {
    console.error(`alert tests incomplete:\n  ${problems.join('\n  ')}`);
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'catcast-alerts-'));
  try {
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups }));
    writeFileSync(join(dir, 'alerts.test.yaml'), stringify(withAnnotations(groups, tests)));
    const alerts = groups.reduce((n, g) => n + g.rules.length, 0);
    console.log(`checking ${alerts} alerting rules rendered from the cdk8s constructs`);
    execFileSync(args.promtool, ['check', 'rules', join(dir, 'rules.yaml')], { stdio: 'inherit' });
    execFileSync(args.promtool, ['test', 'rules', join(dir, 'alerts.test.yaml')], { stdio: 'inherit' });
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
