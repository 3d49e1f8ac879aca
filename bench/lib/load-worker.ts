/**
 * The load generator process (autocannon), started by bench/lib/load.ts with its job as the first
 * argument (JSON). It prints one JSON result line on stdout. Kept out of the orchestrator's process so
 * the load tool's CPU never shares an event loop with the measuring code.
 */
import autocannon from 'autocannon';
import type { LoadJob } from './load.js';

const job = JSON.parse(process.argv[2] ?? '{}') as LoadJob;
let seq = 0;

function order(): Record<string, unknown> {
  const n = seq++;
  const m = job.merchantOffset + 1 + Math.floor(Math.random() * job.merchants);
  const k = Math.floor(Math.random() * job.products);
  const items = [0, 1, 2].map((d) => ({
    productId: `p-${(k + d) % job.products}`,
    quantity: 1 + ((n + d) % 3),
    unitPrice: '12.34',
  }));
  return {
    merchantId: `bench-m-${m}`,
    externalOrderId: `${job.prefix}-${process.pid}-${n}`,
    currency: 'EUR',
    items,
  };
}

function body(): string {
  if (job.kind === 'batch') {
    const orders = new Array<Record<string, unknown>>(job.batchSize ?? 100);
    for (let i = 0; i < orders.length; i++) orders[i] = order();
    return JSON.stringify({ orders });
  }
  return JSON.stringify(order());
}

const paths = job.paths ?? ['/'];
const request: autocannon.Request =
  job.kind === 'get'
    ? {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)]! }),
      }
    : {
        method: 'POST',
        path: job.kind === 'batch' ? '/v1/orders/batch' : '/v1/orders',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: body() }),
      };

const result = await autocannon({
  url: job.url,
  connections: job.connections,
  duration: job.durationSec,
  ...(job.overallRate ? { overallRate: job.overallRate } : {}),
  requests: [request],
  timeout: 30,
});
const ok = result['2xx'];
process.stdout.write(
  `${JSON.stringify({
    seconds: result.duration,
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    okPerSecond: ok / result.duration,
    latencyMs: {
      mean: result.latency.average,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
  })}\n`,
);
