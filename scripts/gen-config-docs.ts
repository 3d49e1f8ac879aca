/**
 * Generates docs/configuration.md from the configuration schemas' source: every variable a binary
 * reads, with the TSDoc sentence and @default written beside it, then the variables of the `catcast`
 * commands, the simulator (its flags' fallbacks) and `make dev`. `--check` fails when the committed
 * file is out of date (run by the unit tests), so the document cannot drift from the code.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SIMULATOR_FLAGS } from '../pkg/simulator/index.js';

const root = path.resolve(import.meta.dirname, '..');

/** Binaries and the files whose env objects they parse. */
export const SERVICES: ReadonlyArray<{ name: string; files: string[] }> = [
  { name: 'ingest', files: ['pkg/ingest/config.ts', 'pkg/auth/config.ts'] },
  { name: 'relay', files: ['pkg/relay/config.ts'] },
  { name: 'aggregator', files: ['pkg/aggregation/config.ts', 'pkg/auth/config.ts'] },
  { name: 'forecast-api', files: ['pkg/forecast-api/config.ts'] },
  { name: 'forecast-job', files: ['pkg/forecast-job/config.ts'] },
  { name: 'migrate', files: ['pkg/db/migrate-config.ts'] },
  { name: 'lag-metrics', files: ['pkg/lag-metrics/config.ts'] },
];

/**
 * A tool listed after the services: its own variables (not the shared groups its schema spreads),
 * after sentences naming what else it reads.
 */
interface Tool {
  readonly name: string;
  readonly intro: readonly string[];
  readonly files: readonly string[];
}

const CATCAST_CLI: Tool = {
  name: 'catcast (operator CLI)',
  intro: [
    '`npm run catcast -- <command>` ([operations.md](operations.md)). `catcast reconcile` reads',
    '`DATABASE_URL` (required) and, with `--every`, `HOST` for its /metrics server; `catcast dlq replay`',
    'reads `KAFKA_BROKERS` (required here), `KAFKA_TOPIC`, `KAFKA_DLQ_TOPIC`, `KAFKA_CLIENT_ID` and',
    '`KAFKA_REPLICATION_FACTOR` (defaults as for the relay); `catcast token` reads `AUTH_HS256_SECRET`',
    'unless `--secret` is given. `LOG_LEVEL` sets the level of the logs written to stderr (default `warn`).',
    'Their own variables:',
  ],
  files: ['pkg/admin/reconcile-command.ts', 'pkg/admin/dlq-command.ts'],
};

const DEV_STACK: Tool = {
  name: 'make dev',
  intro: [
    '`make dev` (cmd/dev, pkg/devstack) reads these itself; `make dev KAFKA=1` starts a local Kafka when',
    '`KAFKA_BROKERS` is unset. The services it starts inherit its environment, except what it sets for',
    'them: `DATABASE_URL`, `AUTH_MODE=jwt`, `AUTH_HS256_SECRET` (kept in the data directory),',
    '`HOST=127.0.0.1`, each `PORT`, and a one-minute schedule for the forecast services; `LOG_LEVEL` is',
    'passed on (default `info`). Without Kafka the relay and the aggregator run in one process',
    "(cmd/pipeline): it reads both services' variables, the relay's port from `RELAY_PORT` (default 8083).",
  ],
  files: ['pkg/devstack/config.ts'],
};

const SHARED = 'pkg/config/index.ts';
const GROUPS: Record<string, string> = {
  commonEnv: SHARED,
  databaseEnv: SHARED,
  kafkaEnv: SHARED,
  authEnv: 'pkg/auth/config.ts',
  uiLoginEnv: 'pkg/ui/config.ts',
};

interface Variable {
  readonly name: string;
  readonly doc: string;
  readonly fallback: string;
}

/**
 * Variables declared directly in `text` (a `/** doc *\/ NAME:` pair), in source order. A declaration
 * that is optional or has a default must say what unset means with `@default`: without one the
 * variable would be documented as required.
 */
export function declared(text: string, within?: string): Variable[] {
  let body = text;
  if (within) {
    const start = text.indexOf(`export const ${within}`);
    if (start < 0) return [];
    const end = text.indexOf('\n};', start);
    body = text.slice(start, end);
  }
  const out: Variable[] = [];
  const re = /\/\*\*((?:(?!\*\/)[\s\S])*?)\*\/\s*\n\s*([A-Z][A-Z0-9_]+):/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const raw = m[1]!
      .split('\n')
      .map((l) => l.replace(/^\s*\*\s?/, '').trim())
      .join(' ')
      .trim();
    const d = /@default\s+(.*)$/.exec(raw);
    const rest = body.slice(re.lastIndex);
    const next = rest.search(/\/\*\*|\n\s*}/);
    const schema = next < 0 ? rest : rest.slice(0, next);
    if (!d && /\.optional\(|\.default\(/.test(schema))
      throw new Error(`${m[2]} is optional or has a default but no @default in its TSDoc`);
    out.push({
      name: m[2]!,
      doc: raw.replace(/@default\s+.*$/, '').trim(),
      fallback: d ? d[1]!.trim() : 'required',
    });
  }
  return out;
}

/**
 * The variables of the groups `file` spreads (`...commonEnv`, or `...without(databaseEnv, 'NAME', ...)`
 * less the names given), then its own.
 */
function variablesOf(file: string): Variable[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const vars: Variable[] = [];
  for (const m of text.matchAll(/\.\.\.(?:without\(\s*(\w+Env)\s*,([^)]*)\)|(\w+Env)\b)/g)) {
    const group = (m[1] ?? m[3])!;
    const omitted = new Set([...(m[2] ?? '').matchAll(/'([A-Z][A-Z0-9_]*)'/g)].map((o) => o[1]!));
    if (GROUPS[group])
      vars.push(
        ...declared(readFileSync(path.join(root, GROUPS[group]), 'utf8'), group).filter(
          (v) => !omitted.has(v.name),
        ),
      );
  }
  const own = file === 'pkg/auth/config.ts' ? declared(text, 'authEnv') : declared(text);
  return [...vars, ...own];
}

const row = (name: string, fallback: string, doc: string) =>
  `| \`${name}\` | ${fallback.replace(/\|/g, '\\|')} | ${doc.replace(/\|/g, '\\|')} |`;

function toolSection(t: Tool): string[] {
  const vars = t.files.flatMap((f) => declared(readFileSync(path.join(root, f), 'utf8')));
  return [
    `## ${t.name}`,
    '',
    ...t.intro,
    '',
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...vars.map((v) => row(v.name, v.fallback, v.doc)),
    '',
  ];
}

/** The Markdown document. */
export function render(): string {
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated by `npx tsx scripts/gen-config-docs.ts` from the configuration schemas; do not edit. -->',
    '',
    'Every binary reads its configuration once, at start, from environment variables (parsed with zod);',
    'a bad value stops the process before it starts anything, with exit code 2 and a message that names',
    'the variable ([architecture.md](architecture.md#binaries-one-shape)). Empty values count as unset.',
    'The Helm chart sets these from `values.yaml` (see [kubernetes.md](kubernetes.md)); OpenTelemetry is',
    'configured by the standard `OTEL_*` variables (see [observability.md](observability.md)). The chart',
    'runs the aggregator binary as two Deployments, `AGGREGATOR_ROLE=consumer` (`<release>-aggregator`) and',
    "`AGGREGATOR_ROLE=api` (`<release>-aggregator-api`, the read API behind the Ingress's `/api`).",
    '',
  ];
  for (const s of SERVICES) {
    const seen = new Set<string>();
    const vars = s.files.flatMap(variablesOf).filter((v) => !seen.has(v.name) && seen.add(v.name));
    lines.push(`## ${s.name}`, '', '| variable | default | meaning |', '| --- | --- | --- |');
    for (const v of vars) lines.push(row(v.name, v.fallback, v.doc));
    lines.push('');
  }
  lines.push(
    ...toolSection(CATCAST_CLI),
    '## simulator',
    '',
    'Each variable is the fallback of a flag of cmd/simulator (`make simulate SIM_ARGS=...`); the flag wins',
    'when both are given.',
    '',
    '| variable | default | meaning |',
    '| --- | --- | --- |',
  );
  for (const [flag, f] of Object.entries(SIMULATOR_FLAGS)) {
    const fallback = 'default' in f ? f.default : f.type === 'boolean' ? 'false' : 'unset';
    lines.push(row(f.env, fallback, `\`--${flag}\`: ${f.help}.`));
  }
  lines.push('', ...toolSection(DEV_STACK));
  return lines.join('\n');
}

const target = path.join(root, 'docs/configuration.md');
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== render()) {
    process.stderr.write('docs/configuration.md is out of date: run npx tsx scripts/gen-config-docs.ts\n');
    process.exit(1);
  }
} else if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(target, render());
}
