/**
 * Renders docs/reliability.md from the fault suite's latest results (test-results/faults/*.json,
 * written by test/faults): one row per scenario with what was injected, what was checked, the result
 * and the time to converge. Run by `make faults` after the suite; the document is generated, not edited.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const resultsDir = path.join(root, 'test-results', 'faults');
const out = path.join(root, 'docs', 'reliability.md');

interface Result {
  id: string;
  scenario: string;
  injected: string;
  checked: string[];
  result: 'pass' | 'fail';
  convergeSeconds: number | null;
  details: Record<string, unknown>;
  error?: string;
  soak: number;
  finishedAt: string;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Outcome of one mutation of scripts/mutations.sh (test/mutations/results/<name>.json, committed). */
export interface MutationResult {
  name: string;
  verdict: 'killed' | 'survived' | 'inconclusive' | 'stale';
  observed: string;
  seconds: number;
  at: string;
}

/** One strong claim, the test that backs it, and the mutation (test/mutations/<name>.patch) that breaks it. */
interface Claim {
  claim: string;
  test: string;
  breaking: string;
  mutation: string;
  mutationText: string;
}

/** The claims of README and docs/*.md that a newcomer would bet on, each traced to a test that fails when it breaks. */
export const CLAIMS: readonly Claim[] = [
  {
    claim: 'An event delivered twice is counted once (processed_events dedupe)',
    test: 'test/faults/processes.test.ts scenario 3 (real duplicates on the topic) + oracle (c)',
    breaking: "the aggregates count relay A's re-published batch twice; the aggregator skips 0 duplicates",
    mutation: 'skip-dedupe',
    mutationText:
      'pkg/aggregation/apply.ts folds every event of a batch, not only those new to processed_events',
  },
  {
    claim: 'The relay marks a row published only after the broker acknowledged it',
    test: 'test/integration/relay.test.ts "marks rows published only after the broker acknowledged them" and "keeps rows ... while publishing fails"',
    breaking: 'rows are marked although the publish failed: the event never reaches the topic (lost)',
    mutation: 'mark-before-ack',
    mutationText: 'pkg/relay/relay.ts marks and commits the batch before publishing it',
  },
  {
    claim:
      "An order in another currency than its merchant's is refused (422 currency_mismatch), nothing written",
    test: 'test/integration/ingest-orders.test.ts "a currency mismatch"',
    breaking: "the order is stored (201) and summed into the merchant's totals in the wrong unit",
    mutation: 'drop-currency-check',
    mutationText:
      "the currency comparison removed from pkg/orders/service.ts and from the insert's catalog check",
  },
  {
    claim:
      'An order, its items and its outbox event are written in one transaction (the transactional outbox)',
    test: 'test/integration/dev-crash.test.ts, oracle (b)',
    breaking: 'orders answered 201 and stored without an outbox event never reach the aggregates',
    mutation: 'order-without-event',
    mutationText: 'the single-order statement in pkg/orders/sql.ts stops inserting the outbox event',
  },
  {
    claim: "Aggregates bucket by the merchant's calendar (time zone and week start)",
    test: 'pkg/buckets/buckets.test.ts (and oracle (c), which buckets independently with Intl)',
    breaking: 'WEEK buckets of merchants whose week starts on Sunday (or Saturday) start on Monday',
    mutation: 'ignore-week-start',
    mutationText: "pkg/buckets ignores the merchant's week start (always Monday)",
  },
  {
    claim: 'With the database down or crashed, ingest answers 503 + Retry-After, never 500',
    test: 'test/faults/postgres.test.ts scenario 4 (probes during the crash)',
    breaking: 'clients get 500 without Retry-After and do not know to retry',
    mutation: 'no-503-when-db-down',
    mutationText: 'pkg/http/problem.ts no longer maps an unavailable database to 503 + Retry-After',
  },
  {
    claim: 'An order answered 201 survives a Postgres crash (commit flushed before the answer)',
    test: 'test/faults/postgres.test.ts scenario 4: its durability check (pg_settings over a service pool connection) goes red first; the SIGKILL + oracle (a) back it',
    breaking: 'orders the client got 201 for are missing after crash recovery',
    mutation: 'async-commit',
    mutationText:
      'pkg/db/pool.ts connects with synchronous_commit=off (commits acknowledged before the WAL flush)',
  },
  {
    claim: 'make dev restarts its embedded PostgreSQL after a crash, like the services',
    test: 'pkg/devstack/postgres.test.ts and test/integration/dev-crash.test.ts',
    breaking: 'after a SIGKILL of the postmaster the stack stays unready until restarted by hand',
    mutation: 'dev-postgres-unsupervised',
    mutationText: 'pkg/devstack/postgres.ts no longer restarts a server that exited',
  },
];

/** The claims table with the observed outcome of each mutation. */
export function renderClaims(mutations: ReadonlyMap<string, MutationResult>): string[] {
  const lines = [
    '## Claims and the tests that break with them',
    '',
    'Each strong claim, the test that backs it, and what breaking it looks like. Each was shown once to',
    'turn its test red by a mutation (the bug the claim rules out, as a patch in `test/mutations/`):',
    '`scripts/mutations.sh [NAME...]` (`make mutations`) applies it to a throwaway worktree, runs the',
    'test there and expects it to fail; the observed failure below is from that run.',
    '',
    '| claim | test | breaking it looks like | mutation | observed with the mutation |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const c of CLAIMS) {
    const m = mutations.get(c.mutation);
    const observed = !m
      ? 'not run yet'
      : m.verdict === 'killed'
        ? `red (${m.seconds} s): ${m.observed || 'test failed'}`
        : m.verdict === 'survived'
          ? '**SURVIVED: the test passed with the bug**'
          : m.verdict === 'stale'
            ? '**not checked: the patch no longer applies to the code**'
            : 'inconclusive (the run failed before any test: see test/mutations/results)';
    lines.push(
      `| ${cell(c.claim)} | ${cell(c.test)} | ${cell(c.breaking)} | \`${c.mutation}\`: ${cell(c.mutationText)} | ${cell(observed)} |`,
    );
  }
  lines.push('');
  return lines;
}

/** The Markdown document for `results`. */
export function render(
  results: readonly Result[],
  meta: { commit: string; cores: number },
  mutations: ReadonlyMap<string, MutationResult> = new Map(),
): string {
  const sorted = [...results].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const latest =
    sorted
      .map((r) => r.finishedAt)
      .sort()
      .at(-1) ?? 'never';
  const passed = sorted.filter((r) => r.result === 'pass').length;
  const lines = [
    '# Reliability: fault-injection results',
    '',
    '<!-- Generated by `npx tsx scripts/render-reliability.ts` from test-results/faults/*.json (`make faults`); do not edit. -->',
    '',
    `Latest run: ${latest} (commit ${meta.commit}, ${meta.cores} cores${sorted[0] && sorted[0].soak > 1 ? `, soak x${sorted[0].soak}` : ''}); ${passed} of ${sorted.length} scenarios passed.`,
    '',
    'Every scenario runs the real binaries (ingest, relay, aggregator, forecast-api, forecast-job) as',
    'processes against real PostgreSQL 17 and Apache Kafka 4 under simulator load, injects the fault, and',
    'ends with the exactness oracle (`test/faults/support/oracle.ts`, also closing',
    '`test/integration/dev-crash.test.ts`): (a) every order the client got a 201/200 for is stored exactly',
    'once with the items and total it sent, and no refused order is stored; (b) every stored order has one',
    'outbox event, applied exactly once (processed_events), none in flight; (c) the aggregates equal a',
    'recomputation from `ingestion.*` done in the test with its own calendar arithmetic (Intl), for DAY,',
    "WEEK, MONTH and YEAR in each merchant's zone and week start — plus `reconcile()` finding no drift.",
    'The scenarios live in `test/faults/`; `make faults` runs them, `make soak` runs them longer.',
    'Time to converge: from the end of the fault (or the fix) to every event being published and applied.',
    '',
    '| scenario | injected | checked | result | time to converge |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of sorted) {
    lines.push(
      `| ${cell(`${r.id.split('-')[0]}. ${r.scenario}`)} | ${cell(r.injected)} | ${cell(r.checked.join('; ') || '—')} | ${r.result === 'pass' ? 'pass' : `**FAIL**: ${cell(r.error ?? '')}`} | ${r.convergeSeconds === null ? '—' : `${r.convergeSeconds} s`} |`,
    );
  }
  lines.push(
    '',
    ...renderClaims(mutations),
    '## What the faults are, and what they are not',
    '',
    '- Crashes are SIGKILLs: of the Postgres postmaster (scenario 4; the server runs with fsync,',
    '  synchronous_commit and full_page_writes on, as in production, and restarts through crash recovery),',
    '  of the Kafka broker JVM (1), of relays (3), aggregators (2) and the forecast job (6); dev-crash kills',
    "  `make dev`'s PostgreSQL and then its whole process tree.",
    "- Duplicates are real: in scenario 3 the broker acknowledged relay A's batch and A died before its",
    '  mark committed (a test-only trigger in the test database holds the mark open; the product has no',
    '  hook), so relay B published the same events again; the duplicates on the topic are counted.',
    '- Network faults go through toxiproxy (a real TCP proxy; `scripts/tools.sh toxiproxy`). The blackhole',
    '  heals by the path dropping the stuck connections (as a firewall or NAT that lost the flows would). A',
    '  blackhole that never closes a connection would hold a query until TCP gives up: the services have',
    '  server-side statement timeouts but no client-side query timeout, and that case is not tested.',
    '- `make soak` runs the same scenarios longer (CATCAST_SOAK); the ports of every private server derive',
    '  from CATCAST_FAULTS_PG_PORT and CATCAST_FAULTS_KAFKA_PORT.',
    '',
    '## Measured details',
    '',
  );
  for (const r of sorted) {
    const { timeline, ...rest } = r.details;
    const shown = Object.entries(rest).map(
      ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
    );
    if (timeline && Object.keys(timeline).length) shown.push(`timeline(s)=${JSON.stringify(timeline)}`);
    lines.push(`- **${r.id}**: ${shown.length ? cell(shown.join(', ')) : '—'}`);
  }
  lines.push('');
  return lines.join('\n');
}

function main(): void {
  if (!existsSync(resultsDir))
    throw new Error(`no results in ${resultsDir}: run the fault suite first (make faults)`);
  const results = readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8')) as Result);
  if (results.length === 0) throw new Error(`no results in ${resultsDir}`);
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {
    /* not a git checkout */
  }
  const mutationsDir = path.join(root, 'test', 'mutations', 'results');
  const mutations = new Map<string, MutationResult>();
  if (existsSync(mutationsDir))
    for (const f of readdirSync(mutationsDir).filter((f) => f.endsWith('.json'))) {
      const m = JSON.parse(readFileSync(path.join(mutationsDir, f), 'utf8')) as MutationResult;
      mutations.set(m.name, m);
    }
  writeFileSync(out, render(results, { commit, cores: cpus().length }, mutations));
  process.stdout.write(`wrote ${path.relative(root, out)} (${results.length} scenarios)\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) main();
