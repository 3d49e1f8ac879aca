/**
 * What the write pipeline costs per order at a steady rate, in configurations measured side by side:
 * CPU of ingest, relay, aggregator (consumer only: nothing reads from it), PostgreSQL and the Kafka
 * broker per accepted order, and the batches relay and aggregator made. Each configuration is a set
 * of environment variables given to all three binaries; rounds alternate the configurations so a
 * change in the machine's load hits each.
 *
 *   npx tsx bench/pipeline-cpu.ts [--rate=300] [--seconds=60] [--rounds=2] [--merchants=1000]
 *     --config=NAME:KEY=value,KEY=value [--config=...]      (a config without variables: the defaults)
 *
 * Prints one line per run and a table of means; writes nothing else.
 */
import { randomBytes } from 'node:crypto';
import { round } from './lib/context.js';
import { CATALOG, freshDatabase, seedCatalog, seedOrderHistory, startInfra } from './lib/env.js';
import { runLoad } from './lib/load.js';
import { pipelineEnvOverrides, startPipeline } from './lib/pipeline.js';
import { startPipelineMeter, type PipelineBatches, type PipelineCpu } from './lib/pipeline-cpu.js';
import { buildServices, log } from './lib/proc.js';

function option(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const v = raw === undefined ? fallback : Number(raw);
  if (!(Number.isInteger(v) && v > 0)) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return v;
}

const rate = option('rate', 300);
const seconds = option('seconds', 60);
const rounds = option('rounds', 2);
const merchants = option('merchants', 1000);
const configs = process.argv
  .filter((a) => a.startsWith('--config='))
  .map((a) => {
    const spec = a.slice('--config='.length);
    const colon = spec.indexOf(':');
    const name = colon < 0 ? spec : spec.slice(0, colon);
    return { name, env: pipelineEnvOverrides(colon < 0 ? '' : spec.slice(colon + 1)) };
  });
if (configs.length === 0) throw new Error('name at least one --config=NAME:KEY=value,...');

buildServices();
const infra = await startInfra({ kafka: true });
const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const ctx = { infra, smoke: false, runId, noteRss: () => undefined };
const results = new Map<string, { cpu: PipelineCpu; batches: PipelineBatches; okPerSecond: number }[]>();
try {
  for (let r = 0; r < rounds; r++) {
    for (const c of configs) {
      const db = await freshDatabase(infra, `pcpu_${c.name}`);
      try {
        const shape = { merchants, ...CATALOG };
        await seedCatalog(db, shape);
        // Planned against a table with history, as in the freshness scenario.
        await seedOrderHistory(db, shape, 20_000);
        const p = await startPipeline(ctx, db, `pcpu-${c.name}-${r}`, { AGGREGATOR_ROLE: 'consumer' }, c.env);
        try {
          const job = {
            url: p.ingestUrl,
            kind: 'order' as const,
            connections: 16,
            overallRate: rate,
            merchants,
            merchantOffset: 0,
            products: CATALOG.products,
          };
          await runLoad({ ...job, durationSec: 10, prefix: `${runId}-${c.name}-${r}-w` });
          const meter = await startPipelineMeter(p);
          const load = await runLoad({ ...job, durationSec: seconds, prefix: `${runId}-${c.name}-${r}` });
          const reading = await meter.read();
          const { cpu, batches } = reading(load.ok);
          log(
            `pipeline-cpu ${c.name} round ${r + 1}: ${load.okPerSecond.toFixed(0)} orders/s; CPU ${JSON.stringify(cpu)}; batches ${JSON.stringify(batches)}`,
          );
          const list = results.get(c.name) ?? [];
          list.push({ cpu, batches, okPerSecond: load.okPerSecond });
          results.set(c.name, list);
        } finally {
          await p.stop();
        }
      } finally {
        await db.drop();
      }
    }
  }
} finally {
  await infra.stop();
}

const mean = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? round(v.reduce((a, b) => a + b, 0) / v.length, 3) : null;
};
console.log(
  '\n| config | orders/s | ingest | relay | aggregator | PostgreSQL | Kafka | pipeline | relay batches (orders each) | aggregator batches (orders each) | busy cores |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const c of configs) {
  const rs = results.get(c.name) ?? [];
  const ms = (k: keyof PipelineCpu['msPerOrder']) => mean(rs.map((x) => x.cpu.msPerOrder[k]));
  console.log(
    `| ${c.name} | ${mean(rs.map((x) => x.okPerSecond))} | ${ms('ingest')} | ${ms('relay')} | ${ms('aggregator')} | ${ms('postgres')} | ${ms('kafka')} | ${mean(rs.map((x) => x.cpu.pipelineMsPerOrder))} | ${mean(rs.map((x) => x.batches.relay))} (${mean(rs.map((x) => x.batches.relayOrdersPerBatch))}) | ${mean(rs.map((x) => x.batches.aggregator))} (${mean(rs.map((x) => x.batches.aggregatorOrdersPerBatch))}) | ${mean(rs.map((x) => x.cpu.machineBusyCores))} |`,
  );
}
