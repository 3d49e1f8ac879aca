/**
 * catcast on a real single-node Kubernetes (scripts/k8s/cluster.sh: kube-apiserver, controller-manager,
 * scheduler, kubelet, kube-proxy, containerd, CoreDNS) with the image built by `make image`:
 * helm install / test / upgrade / rollback of charts/catcast, orders through the ingest Service ending
 * up exactly in /api/top-categories (served by aggregator-api, the read-only Deployment of the
 * aggregator binary, from what the consumer Deployment applied), the forecast CronJob firing on its
 * own, and pods deleted mid-work;
 * the chart's Ingress served by Traefik and the CPU HPA fed by metrics-server (scripts/k8s/addons.yaml);
 * the aggregator's consumer scaled on Kafka consumer lag by an HPA reading catcast's own external-metrics provider
 * (chart mode adapter); last, a merchant signing in through the Ingress with the OpenID Provider catcast-idp (auth.mode=jwt).
 * The steps share one release and run in order.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import https from 'node:https';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatAmount } from '../../pkg/money/index.js';
import { reconcile } from '../../pkg/reconcile/index.js';
import { SESSION_COOKIE } from '../../pkg/auth/index.js';
import { startIdp, type Idp } from '../integration/support/idp.js';
import { request, sh, simulate, waitFor } from './support.js';

const env = inject('clusterEnv');
const kenv = { KUBECONFIG: env.KUBECONFIG! };
// Each run has its own namespace, database and topics, so a kept cluster (CATCAST_KEEP_CLUSTER=1)
// can run the suite again without leftovers from the previous run.
const RUN = Date.now().toString(36);
const NS = `catcast-test-${RUN}`;
const RELEASE = 'catcast';
const TAG1 = 'cluster-1';
const TAG2 = 'cluster-2';
// The Ingress host of the test install: Traefik answers it and nothing else. Per run, like the
// namespace: a kept cluster still serves the previous run's Ingress.
const INGRESS_HOST = `${RUN}.catcast.cluster.test`;
const helm = `${(await sh({}, 'bash', ['scripts/tools.sh', 'path'])).trim()}/helm`;
const kubectl = (...args: string[]) => sh(kenv, 'kubectl', ['-n', NS, ...args]);
const kjson = async <T>(...args: string[]): Promise<T> =>
  JSON.parse(await kubectl(...args, '-o', 'json')) as T;
const brokers = env.CATCAST_CLUSTER_KAFKA_BROKERS!;
const dbUrl = env.CATCAST_CLUSTER_DATABASE_URL!.replace(/\/[^/]*$/, `/catcast_${RUN}`);
// The test host reaches Postgres on loopback; pods use the bridge address in the Secret.
const hostDbUrl = dbUrl.replace(/@[^:/]+:/, '@127.0.0.1:');
let pool: pg.Pool;
let ingestUrl = '';
/** The read API: the aggregator-api Service (AGGREGATOR_ROLE=api). */
let readApiUrl = '';
/** The Kafka consumer's Service (AGGREGATOR_ROLE=consumer): /health, /ready, /metrics only. */
let consumerUrl = '';
let forecastUrl = '';
let idp: Idp | undefined;

interface Deployment {
  metadata: { name: string };
  spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
  status: {
    readyReplicas?: number;
    updatedReplicas?: number;
    replicas?: number;
    observedGeneration?: number;
  };
}
interface Pod {
  metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    securityContext?: { runAsUser?: number; runAsNonRoot?: boolean };
    containers: {
      securityContext?: { readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
      resources?: { limits?: { memory?: string } };
    }[];
  };
  status: { phase: string; podIP?: string };
}

const helmArgs = (tag: string, shards: number) => [
  '-n',
  NS,
  '-f',
  'test/cluster/values.yaml',
  '--set',
  `image.tag=${tag}`,
  '--set',
  `kafka.brokers=${brokers}`,
  '--set',
  `forecastJob.shardCount=${shards}`,
  '--set',
  `kafka.topic=orders-${RUN}`,
  '--set',
  `kafka.dlqTopic=orders-${RUN}.dlq`,
  '--set',
  `kafka.consumerGroup=aggregator-${RUN}`,
  '--set',
  `ingress.host=${INGRESS_HOST}`,
  '--set',
  `networkPolicy.egressPorts.postgres={${new URL(dbUrl).port}}`,
  '--set',
  `networkPolicy.egressPorts.kafka={${brokers.split(':')[1]}}`,
];

/** Every Deployment of the release (`count` of them) has all replicas updated and Ready, running `tag`. */
async function allReady(tag: string, count = 5): Promise<Deployment[] | false> {
  const list = await kjson<{ items: Deployment[] }>(
    'get',
    'deployments',
    '-l',
    `app.kubernetes.io/instance=${RELEASE}`,
  );
  if (list.items.length !== count) return false;
  const ok = list.items.every(
    (d) =>
      d.spec.template.spec.containers[0]!.image.endsWith(`:${tag}`) &&
      d.status.readyReplicas === d.spec.replicas &&
      d.status.updatedReplicas === d.spec.replicas &&
      d.status.replicas === d.spec.replicas,
  );
  return ok && list.items;
}

/** Traefik's Service in catcast-system: requests to the Ingress go there with its Host header. */
async function traefikUrl(): Promise<string> {
  const ip = await sh(kenv, 'kubectl', [
    '-n',
    'catcast-system',
    'get',
    'service',
    'traefik',
    '-o',
    'jsonpath={.spec.clusterIP}',
  ]);
  return `http://${ip.trim()}`;
}

async function serviceUrl(component: string, port: number): Promise<string> {
  const svc = await kjson<{ spec: { clusterIP: string } }>('get', 'service', `${RELEASE}-${component}`);
  return `http://${svc.spec.clusterIP}:${port}`;
}

/** API answer vs the orders stored by ingest (the source of truth), for every merchant, YEAR bucket. */
async function expectExactTotals(): Promise<void> {
  await waitFor(
    'every order to be published and applied',
    async () => {
      const { rows } = await pool.query<{ unpublished: string; orders: string; applied: string }>(
        `SELECT (SELECT count(*) FROM ingestion.order_events WHERE published_at IS NULL) AS unpublished,
                (SELECT count(*) FROM ingestion.orders) AS orders,
                (SELECT count(*) FROM forecasting.processed_events) AS applied`,
      );
      return rows[0]!.unpublished === '0' && rows[0]!.orders === rows[0]!.applied;
    },
    { timeoutMs: 180_000 },
  );
  const result = await reconcile(pool);
  expect(result.inFlightOrders).toBe(0);
  expect(result.drift).toEqual([]);
  const merchants = await pool.query<{ id: string }>('SELECT id FROM ingestion.merchants ORDER BY id');
  expect(merchants.rows.length).toBeGreaterThan(0);
  const year = new Date().getUTCFullYear();
  for (const { id } of merchants.rows) {
    const res = await request(
      `${readApiUrl}/api/top-categories?merchantId=${id}&bucketType=YEAR&bucketStart=${year}-01-01&limit=100`,
    );
    expect(res.status, res.body).toBe(200);
    const body = JSON.parse(res.body) as {
      bucketStart: string;
      bucketEnd: string;
      periodTotalMinor: string;
      categories: { categoryId: string; totalMinor: string; itemCount: number }[];
    };
    const { rows } = await pool.query<{ category_id: string; total: string; items: string }>(
      `SELECT i.category_id, sum(i.amount_minor)::text AS total, sum(i.quantity)::text AS items
         FROM ingestion.orders o
         JOIN ingestion.merchants m ON m.id = o.merchant_id
         JOIN ingestion.order_items i ON i.order_id = o.id
        WHERE o.merchant_id = $1
          AND (o.placed_at AT TIME ZONE m.timezone)::date >= $2::date
          AND (o.placed_at AT TIME ZONE m.timezone)::date < $3::date
        GROUP BY 1 ORDER BY 1`,
      [id, body.bucketStart, body.bucketEnd],
    );
    const sum = rows.reduce((s, r) => s + BigInt(r.total), 0n);
    expect(body.periodTotalMinor).toBe(String(sum));
    const served = Object.fromEntries(
      body.categories.map((c) => [c.categoryId, [c.totalMinor, String(c.itemCount)]]),
    );
    expect(served).toEqual(Object.fromEntries(rows.map((r) => [r.category_id, [r.total, r.items]])));
  }
}

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: hostDbUrl.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE catcast_${RUN}`);
  await admin.end();
  pool = new pg.Pool({ connectionString: hostDbUrl, max: 4 });
  await sh(kenv, 'kubectl', ['create', 'namespace', NS]);
  await sh(kenv, 'kubectl', ['label', 'namespace', NS, 'catcast.io/cluster-test=true']);
  // What a platform team provides before installing (docs/kubernetes.md): the database Secret.
  await kubectl('create', 'secret', 'generic', 'catcast-db', `--from-literal=url=${dbUrl}`);
  // The image under two tags: the upgrade rolls to a "new" image without a registry.
  const ctr = ['--address', env.CATCAST_CLUSTER_CONTAINERD!, '-n', 'k8s.io', 'images'];
  for (const tag of [TAG1, TAG2]) {
    await sh({}, 'ctr', [...ctr, 'rm', `docker.io/library/catcast:${tag}`]).catch(() => '');
    await sh({}, 'ctr', [...ctr, 'tag', env.CATCAST_CLUSTER_IMAGE!, `docker.io/library/catcast:${tag}`]);
  }
});
afterAll(async () => {
  await idp?.stop();
  await pool?.end();
});

/**
 * A steady client: new orders to the ingest Service and reads of /api/top-categories and the
 * forecast through their Services, one request at a time each, each on a fresh connection and never
 * retried, until stop(). Every non-2xx answer and every connection error is a failure.
 */
function steadyClient(label: string) {
  let stopped = false;
  const failures: string[] = [];
  let orders = 0;
  let reads = 0;
  const pause = () => new Promise((r) => setTimeout(r, 100));
  const writer = (async () => {
    const { rows } = await pool.query<{ merchant_id: string; id: string; currency: string }>(
      `SELECT p.merchant_id, p.id, m.currency FROM ingestion.products p
         JOIN ingestion.merchants m ON m.id = p.merchant_id ORDER BY p.merchant_id, p.id LIMIT 20`,
    );
    for (let i = 0; !stopped; i++) {
      const p = rows[i % rows.length]!;
      const order = {
        merchantId: p.merchant_id,
        externalOrderId: `${label}-${i}`,
        placedAt: new Date().toISOString(),
        currency: p.currency,
        items: [
          { productId: p.id, quantity: 1 + (i % 3), unitPrice: formatAmount(BigInt(100 + i), p.currency) },
        ],
      };
      try {
        const res = await request(`${ingestUrl}/v1/orders`, { method: 'POST', body: order });
        if (res.status >= 300) failures.push(`POST /v1/orders ${res.status} ${res.body.slice(0, 200)}`);
        else orders++;
      } catch (err) {
        failures.push(`POST /v1/orders ${(err as Error).message}`);
      }
      await pause();
    }
  })();
  const reader = (async () => {
    const { rows } = await pool.query<{ id: string }>(
      'SELECT id FROM ingestion.merchants ORDER BY id LIMIT 1',
    );
    const m = rows[0]!.id;
    for (let i = 0; !stopped; i++) {
      const url =
        i % 2 === 0
          ? `${readApiUrl}/api/top-categories?merchantId=${m}&bucketType=MONTH`
          : `${forecastUrl}/forecast/top-categories?merchant_id=${m}&bucket_type=WEEK&limit=3`;
      try {
        const res = await request(url);
        if (res.status >= 300) failures.push(`GET ${url} ${res.status} ${res.body.slice(0, 200)}`);
        else reads++;
      } catch (err) {
        failures.push(`GET ${url} ${(err as Error).message}`);
      }
      await pause();
    }
  })();
  return {
    /** Successful requests so far. */
    progress: () => orders + reads,
    async stop() {
      stopped = true;
      await Promise.all([writer, reader]);
      return { failures, orders, reads };
    },
  };
}

describe('catcast on a single-node Kubernetes', () => {
  it('helm install: the migration hook runs, every Deployment becomes Ready as uid 10001 read-only, helm test passes', async () => {
    await sh(
      kenv,
      helm,
      ['install', RELEASE, 'charts/catcast', ...helmArgs(TAG1, 2), '--wait', '--timeout', '10m'],
      900_000,
    );
    // The pre-install hook Job migrated the database (it is deleted once it succeeded).
    const migrated = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM pgmigrations`);
    expect(Number(migrated.rows[0]!.n)).toBeGreaterThanOrEqual(3);
    expect(
      await waitFor('every Deployment Ready', () => allReady(TAG1), { timeoutMs: 300_000 }),
    ).toHaveLength(5);

    const pods = await kjson<{ items: Pod[] }>('get', 'pods', '-l', `app.kubernetes.io/instance=${RELEASE}`);
    const running = pods.items.filter((p) => p.status.phase === 'Running');
    expect(running.length).toBeGreaterThanOrEqual(5);
    for (const p of running) {
      expect(p.spec.securityContext).toMatchObject({ runAsUser: 10001, runAsNonRoot: true });
      expect(p.spec.containers[0]!.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
    }
    // Inside a running container: the process really is uid 10001 and / is read-only.
    const ingestPod = running.find((p) => p.metadata.labels['app.kubernetes.io/component'] === 'ingest')!;
    const probe = await kubectl(
      'exec',
      ingestPod.metadata.name,
      '--',
      'node',
      '-e',
      'let ro; try { require("fs").writeFileSync("/app/x", "x"); ro = false } catch (e) { ro = e.code } console.log(process.getuid(), ro)',
    );
    expect(probe.trim()).toBe('10001 EROFS');

    ingestUrl = await serviceUrl('ingest', 8081);
    readApiUrl = await serviceUrl('aggregator-api', 8082);
    consumerUrl = await serviceUrl('aggregator', 8082);
    forecastUrl = await serviceUrl('forecast-api', 8090);
    // (No --logs: the hook-succeeded delete policy removes the test pod before helm could read them.)
    const test = await sh(kenv, helm, ['test', RELEASE, '-n', NS, '--timeout', '5m'], 400_000);
    expect(test).toMatch(/Phase:\s+Succeeded/);

    // HPA objects are accepted and reference their Deployments.
    const hpas = await kjson<{ items: { spec: { scaleTargetRef: { name: string } } }[] }>('get', 'hpa');
    expect(hpas.items.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual([
      `${RELEASE}-aggregator-api`,
      `${RELEASE}-forecast-api`,
      `${RELEASE}-ingest`,
    ]);
  });

  it("the chart's Ingress is served by Traefik: its host and paths reach the Services it declares, nothing else", async () => {
    const ingressUrl = await traefikUrl();
    // The controller took the Ingress (class traefik) and published its address in the status.
    await waitFor('Traefik to publish the Ingress status', async () => {
      const ing = await kjson<{ status: { loadBalancer?: { ingress?: { ip?: string }[] } } }>(
        'get',
        'ingress',
        RELEASE,
      );
      return ing.status.loadBalancer?.ingress?.[0]?.ip === env.CATCAST_CLUSTER_GATEWAY;
    });
    const pods = await kjson<{ items: Pod[] }>('get', 'pods', '-l', `app.kubernetes.io/instance=${RELEASE}`);
    const componentOf = new Map(
      pods.items
        .filter((p) => p.status.phase === 'Running' && p.status.podIP)
        .map((p) => [p.status.podIP!, p.metadata.labels['app.kubernetes.io/component']!]),
    );
    const merchant = '00000000-0000-4000-8000-000000000001';
    // Each path of the chart's Ingress, the Service it declares, and the same request sent to that
    // Service directly: the answers must be the same, and Traefik's access log must name a pod of it.
    const cases = [
      { path: '/ui/', component: 'forecast-api', direct: forecastUrl },
      {
        path: `/forecast/top-categories?merchant_id=${merchant}&bucket_type=WEEK&limit=3`,
        component: 'forecast-api',
        direct: forecastUrl,
      },
      {
        path: `/api/top-categories?merchantId=${merchant}&bucketType=MONTH`,
        component: 'aggregator-api',
        direct: readApiUrl,
      },
      { path: '/v1/orders', method: 'POST', body: {}, component: 'ingest', direct: ingestUrl },
    ];
    for (const [i, c] of cases.entries()) {
      const agent = `catcast-ingress-probe-${RUN}-${i}`;
      const opts = { method: c.method ?? 'GET', body: c.body };
      const via = await waitFor(`${c.path} through the Ingress`, async () => {
        const res = await request(`${ingressUrl}${c.path}`, {
          ...opts,
          headers: { host: INGRESS_HOST, 'user-agent': agent },
        });
        // 404/502/503 from Traefik while it has not yet loaded the route or its endpoints.
        return res.status < 500 && res.headers['content-type'] !== 'text/plain; charset=utf-8' && res;
      });
      const direct = await request(`${c.direct}${c.path}`, opts);
      expect(via.status, `${c.path}: ${via.body.slice(0, 300)}`).toBe(direct.status);
      expect(via.headers['content-type']).toBe(direct.headers['content-type']);
      expect(via.body).toBe(direct.body);
      const line = await waitFor(`Traefik's access log line of ${c.path}`, async () => {
        const logs = await sh(kenv, 'kubectl', ['-n', 'catcast-system', 'logs', 'deployment/traefik']);
        return logs.split('\n').find((l) => l.includes(`"${agent}"`));
      });
      const backend = /"http:\/\/([\d.]+):(\d+)"/.exec(line);
      expect(backend, line).not.toBeNull();
      expect(componentOf.get(backend![1]!), line).toBe(c.component);
    }
    expect((await request(`${ingressUrl}/ui/`, { headers: { host: INGRESS_HOST } })).body).toMatch(/<html/i);
    expect(
      (
        await request(`${ingressUrl}/v1/orders`, {
          method: 'POST',
          body: {},
          headers: { host: INGRESS_HOST },
        })
      ).headers['content-type'],
    ).toMatch(/problem\+json/);
    // Not declared by the Ingress: another host, and a path every Service answers directly (/ready).
    expect((await request(`${ingressUrl}/ui/`, { headers: { host: 'other.example' } })).status).toBe(404);
    expect((await request(`${ingressUrl}/ready`, { headers: { host: INGRESS_HOST } })).status).toBe(404);
    expect((await request(`${forecastUrl}/ready`)).status).toBe(200);
  });

  it('orders sent to the ingest Service appear exactly in /api/top-categories (no drift)', async () => {
    const summary = await simulate(ingestUrl, [
      '--merchants',
      '2',
      '--days',
      '120',
      '--orders-per-day',
      '10',
      '--rate',
      '0',
      '--replay-ratio',
      '0.05',
      '--seed',
      'cluster',
    ]);
    expect(summary.failed).toBe(0);
    expect(summary.accepted).toBeGreaterThan(1000);
    const stored = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM ingestion.orders');
    expect(Number(stored.rows[0]!.n)).toBe(summary.accepted);
    await expectExactTotals();
  });

  it('the read API is its own Deployment: AGGREGATOR_ROLE=api, no Kafka consumer, LISTENs for applies and shows what the consumer applied', async () => {
    /** A Running, not terminating pod of `component`. */
    const podOf = async (component: string) =>
      waitFor(`a running ${component} pod`, async () => {
        const pods = await kjson<{ items: (Pod & { metadata: { deletionTimestamp?: string } })[] }>(
          'get',
          'pods',
          '-l',
          `app.kubernetes.io/component=${component}`,
        );
        return pods.items.find((p) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp);
      });
    // What the container's main process (PID 1, exec'd by the entrypoint) really runs: the same
    // binary in two roles.
    const processOf = async (component: string) =>
      (
        await kubectl(
          'exec',
          (await podOf(component)).metadata.name,
          '--',
          'node',
          '-e',
          `const fs = require('fs');
           const env = fs.readFileSync('/proc/1/environ', 'utf8').split('\\0');
           const cmd = fs.readFileSync('/proc/1/cmdline', 'utf8').split('\\0').join(' ');
           console.log(JSON.stringify({ role: env.find((l) => l.startsWith('AGGREGATOR_ROLE=')), cmd }))`,
        )
      ).trim();
    const api = JSON.parse(await processOf('aggregator-api')) as { role: string; cmd: string };
    const consumer = JSON.parse(await processOf('aggregator')) as { role: string; cmd: string };
    expect(api.role).toBe('AGGREGATOR_ROLE=api');
    expect(consumer.role).toBe('AGGREGATOR_ROLE=consumer');
    expect(api.cmd).toContain('dist/cmd/aggregator/main.js');
    expect(consumer.cmd).toContain('dist/cmd/aggregator/main.js');
    // The entrypoint sized the read API's old generation from the container's memory limit (half of
    // it, at most 512 MB), read from the cgroup inside the container.
    const limit = (await podOf('aggregator-api')).spec.containers[0]?.resources?.limits?.memory ?? '';
    const mi = /^(\d+)Mi$/.exec(limit);
    expect(mi, `aggregator-api memory limit ${limit}`).not.toBeNull();
    expect(api.cmd).toContain(`--max-old-space-size=${Math.min(512, Math.floor(Number(mi![1]) / 2))}`);

    // No Kafka consumer in the read API: its lag gauge has no sample and it applied nothing, while the
    // consumer reports the group's lag and the events it applied. The consumer serves no /api.
    const consumerMetrics = await waitFor('the consumer to report its group lag', async () => {
      const text = (await request(`${consumerUrl}/metrics`)).body;
      return /^catcast_consumer_lag\{[^}]*partition="total"[^}]*\} \d+$/m.test(text) && text;
    });
    // Every series carries the registry's default label service="aggregator".
    const applied = (text: string) =>
      Number(/^catcast_events_applied_total(?:\{[^}]*\})? (\d+)$/m.exec(text)?.[1]);
    expect(applied(consumerMetrics)).toBeGreaterThan(0);
    const apiMetrics = (await request(`${readApiUrl}/metrics`)).body;
    expect(apiMetrics).toMatch(
      /^catcast_http_request_duration_seconds_count\{[^}]*route="\/api\/top-categories"/m,
    );
    expect(apiMetrics).not.toMatch(/^catcast_consumer_lag\{/m);
    expect(applied(apiMetrics)).toBe(0);
    const merchant = (
      await pool.query<{ id: string }>('SELECT id FROM ingestion.merchants ORDER BY id LIMIT 1')
    ).rows[0]!.id;
    expect(
      (await request(`${consumerUrl}/api/top-categories?merchantId=${merchant}&bucketType=MONTH`)).status,
    ).toBe(404);

    // The read API holds a LISTEN session for the consumer's change notifications, one per api pod;
    // the consumer holds none (it has no response cache to invalidate).
    const listeners = async () =>
      Number(
        (
          await pool.query<{ n: string }>(
            `SELECT count(*)::text AS n FROM pg_stat_activity
              WHERE datname = current_database() AND application_name = 'catcast-aggregator-listen'
                AND query ILIKE 'LISTEN%'`,
          )
        ).rows[0]!.n,
      );
    await waitFor('one change listener per aggregator-api pod', async () => {
      const pods = await kjson<{ items: Pod[] }>(
        'get',
        'pods',
        '-l',
        'app.kubernetes.io/component=aggregator-api',
      );
      const running = pods.items.filter((p) => p.status.phase === 'Running').length;
      return running > 0 && (await listeners()) === running;
    });

    // A late order for a closed period (last month): the consumer applies it, and the read API's
    // answer for that period — rendered and cached before — shows it.
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    const bucketStart = lastMonth.toISOString().slice(0, 10);
    const url = `${readApiUrl}/api/top-categories?merchantId=${merchant}&bucketType=MONTH&bucketStart=${bucketStart}&limit=100`;
    const total = async () => {
      const res = await request(url);
      expect(res.status, res.body).toBe(200);
      return {
        total: BigInt((JSON.parse(res.body) as { periodTotalMinor: string }).periodTotalMinor),
        etag: res.headers.etag,
      };
    };
    const before = await total();
    expect((await total()).etag).toBe(before.etag);
    const { rows } = await pool.query<{ id: string; currency: string }>(
      `SELECT p.id, m.currency FROM ingestion.products p JOIN ingestion.merchants m ON m.id = p.merchant_id
        WHERE p.merchant_id = $1 ORDER BY p.id LIMIT 1`,
      [merchant],
    );
    const product = rows[0]!;
    const amount = 4321n;
    const placedAt = new Date(Date.UTC(lastMonth.getUTCFullYear(), lastMonth.getUTCMonth(), 15, 12));
    const posted = await request(`${ingestUrl}/v1/orders`, {
      method: 'POST',
      body: {
        merchantId: merchant,
        externalOrderId: `late-${RUN}`,
        placedAt: placedAt.toISOString(),
        currency: product.currency,
        items: [{ productId: product.id, quantity: 1, unitPrice: formatAmount(amount, product.currency) }],
      },
    });
    expect(posted.status, posted.body).toBeLessThan(300);
    await waitFor('the consumer to apply the late order', async () => {
      const { rows: r } = await pool.query<{ applied: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM forecasting.processed_events e
                          JOIN ingestion.order_events oe ON oe.id = e.event_id
                          JOIN ingestion.orders o ON o.id = oe.order_id
                         WHERE o.merchant_id = $1 AND o.external_order_id = $2) AS applied`,
        [merchant, `late-${RUN}`],
      );
      return r[0]!.applied;
    });
    const appliedAt = Date.now();
    const after = await waitFor('the read API to show the late order', async () => {
      const t = await total();
      return t.total !== before.total && t;
    });
    expect(after.total).toBe(before.total + amount);
    expect(after.etag).not.toBe(before.etag);
    console.log(
      `split step: late order visible through aggregator-api ${Date.now() - appliedAt} ms after its apply committed`,
    );
  });

  it('the forecast CronJob fires on its own: Indexed Job pods take their shard Leases, forecast-api serves precomputed', async () => {
    interface Job {
      metadata: { name: string; ownerReferences?: { kind: string }[] };
      spec: { completions: number; completionMode: string };
      status: { succeeded?: number; completionTime?: string };
    }
    const job = await waitFor(
      'a Job of the CronJob to complete',
      async () => {
        const jobs = await kjson<{ items: Job[] }>('get', 'jobs');
        return jobs.items.find(
          (j) => j.metadata.ownerReferences?.some((o) => o.kind === 'CronJob') && j.status.succeeded === 2,
        );
      },
      { timeoutMs: 240_000, intervalMs: 2000 },
    );
    expect(job.spec).toMatchObject({ completions: 2, completionMode: 'Indexed' });
    const leases = await kjson<{
      items: { metadata: { name: string }; spec: { holderIdentity?: string } }[];
    }>('get', 'leases');
    const names = leases.items.map((l) => l.metadata.name).sort();
    expect(names).toEqual(expect.arrayContaining(['catcast-forecast-shard-0', 'catcast-forecast-shard-1']));
    const runs = await pool.query<{ shard_index: number; lease_holder: string; status: string }>(
      `SELECT shard_index, lease_holder, status FROM forecasting.forecast_runs WHERE status = 'succeeded'`,
    );
    // Each shard was run by a pod of a CronJob Job, under its Lease.
    for (const shard of [0, 1]) {
      expect(runs.rows.some((r) => r.shard_index === shard && r.lease_holder.includes('forecast-job'))).toBe(
        true,
      );
    }
    // A run after the orders of the previous step: forecast-api serves its sets for every merchant.
    const merchants = await pool.query<{ id: string }>('SELECT id FROM ingestion.merchants ORDER BY id');
    expect(merchants.rows.length).toBe(2);
    await waitFor(
      'forecast-api to serve precomputed forecasts for every merchant',
      async () => {
        for (const { id } of merchants.rows) {
          const res = await request(
            `${forecastUrl}/forecast/top-categories?merchant_id=${id}&bucket_type=WEEK&limit=3`,
          );
          if (res.status !== 200 || (JSON.parse(res.body) as { source: string }).source !== 'precomputed')
            return false;
        }
        return true;
      },
      { timeoutMs: 240_000, intervalMs: 2000 },
    );
  });
  it('helm upgrade (new image tag, 3 shards) rolls every Deployment with zero failed requests; helm rollback works', async () => {
    const client = steadyClient('upgrade');
    await waitFor('the steady client to get going', () => Promise.resolve(client.progress() >= 5), {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    await sh(
      kenv,
      helm,
      ['upgrade', RELEASE, 'charts/catcast', ...helmArgs(TAG2, 3), '--wait', '--timeout', '10m'],
      900_000,
    );
    await waitFor('every Deployment on the new tag', () => allReady(TAG2), { timeoutMs: 300_000 });
    const cron = await kjson<{ spec: { jobTemplate: { spec: { completions: number } } } }>(
      'get',
      'cronjob',
      `${RELEASE}-forecast-job`,
    );
    expect(cron.spec.jobTemplate.spec.completions).toBe(3);
    const upgraded = await client.stop();
    expect(upgraded.failures).toEqual([]);
    expect(upgraded.orders).toBeGreaterThan(20);
    expect(upgraded.reads).toBeGreaterThan(20);

    const back = steadyClient('rollback');
    await sh(kenv, helm, ['rollback', RELEASE, '1', '-n', NS, '--wait', '--timeout', '10m'], 900_000);
    await waitFor('every Deployment back on the first tag', () => allReady(TAG1), { timeoutMs: 300_000 });
    const rolled = await back.stop();
    expect(rolled.failures).toEqual([]);
    const history = await sh(kenv, helm, ['history', RELEASE, '-n', NS, '-o', 'json']);
    expect((JSON.parse(history) as { revision: number; status: string }[]).map((h) => h.status)).toEqual([
      'superseded',
      'superseded',
      'deployed',
    ]);
    await expectExactTotals();
  });

  it("deleting the aggregator's consumer pod mid-stream: it is replaced, reads through aggregator-api never fail, totals stay exact", async () => {
    // A serving pod, not one of the rollback's old pods that are still terminating.
    let victim = '';
    await waitFor('a serving aggregator pod', async () => {
      const pods = await kjson<{ items: (Pod & { metadata: { deletionTimestamp?: string } })[] }>(
        'get',
        'pods',
        '-l',
        'app.kubernetes.io/component=aggregator',
      );
      const serving = pods.items.find((p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running');
      victim = serving?.metadata.name ?? '';
      return serving !== undefined;
    });
    const sim = simulate(ingestUrl, [
      '--merchants',
      '2',
      '--days',
      '30',
      '--orders-per-day',
      '40',
      '--rate',
      '0',
      '--batch-size',
      '50',
      '--batch-concurrency',
      '1',
      '--merchant-prefix',
      'agg',
      '--seed',
      'cluster-aggregator',
    ]);
    // Mid-stream: once the aggregator has applied some of the new orders.
    const before = Number(
      (await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM forecasting.processed_events'))
        .rows[0]!.n,
    );
    await waitFor(
      'the aggregator to apply new orders',
      async () =>
        Number(
          (await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM forecasting.processed_events'))
            .rows[0]!.n,
        ) >
        before + 50,
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    // Reads go to the other Deployment: the consumer's restart must not fail a single one.
    const client = steadyClient('consumer-kill');
    await kubectl('delete', 'pod', victim, '--wait=false');
    const summary = await sim;
    expect(summary.failed).toBe(0);
    await waitFor(
      'a new aggregator pod Ready',
      async () => {
        const now = await kjson<{ items: Pod[] }>(
          'get',
          'pods',
          '-l',
          'app.kubernetes.io/component=aggregator',
        );
        return (
          now.items.some((p) => p.metadata.name !== victim && p.status.phase === 'Running') &&
          (await allReady(TAG1))
        );
      },
      { timeoutMs: 300_000 },
    );
    // kube-proxy programs the Service's new endpoint a moment after the pod turns Ready.
    await waitFor(
      'the aggregator Service to route to the new pod',
      async () => {
        try {
          return (await request(`${consumerUrl}/ready`)).status === 200;
        } catch {
          return false;
        }
      },
      { timeoutMs: 120_000 },
    );
    const during = await client.stop();
    expect(during.failures).toEqual([]);
    expect(during.reads).toBeGreaterThan(5);
    await expectExactTotals();
  });

  it('deleting a forecast Job pod mid-run: its shard is finished by the next run, no duplicate set', async () => {
    interface JobPod extends Pod {
      metadata: Pod['metadata'] & { ownerReferences?: { name: string }[] };
    }
    // New input, so this run has sets to write for every merchant.
    await simulate(ingestUrl, [
      '--merchants',
      '2',
      '--days',
      '3',
      '--orders-per-day',
      '20',
      '--rate',
      '0',
      '--merchant-prefix',
      'fc',
      '--seed',
      'cluster-forecast',
    ]);
    const victim = await waitFor(
      'a running forecast Job pod',
      async () => {
        const pods = await kjson<{ items: JobPod[] }>(
          'get',
          'pods',
          '-l',
          'app.kubernetes.io/component=forecast-job',
        );
        return pods.items.find(
          (p) =>
            p.status.phase === 'Running' &&
            p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === '0',
        );
      },
      { timeoutMs: 180_000, intervalMs: 250 },
    );
    const job = victim.metadata.ownerReferences![0]!.name;
    const deletedAt = new Date();
    await kubectl('delete', 'pod', victim.metadata.name, '--wait=false');
    // Shard 0 is finished after the deletion: by the Job's replacement pod or by the next run.
    await waitFor(
      'shard 0 to succeed after the deletion',
      async () =>
        (
          await pool.query(
            `SELECT 1 FROM forecasting.forecast_runs WHERE shard_index = 0 AND status = 'succeeded' AND finished_at > $1`,
            [deletedAt],
          )
        ).rowCount,
      { timeoutMs: 240_000, intervalMs: 2000 },
    );
    // No duplicate set: one set per merchant, bucket type and input.
    const dupes = await pool.query(
      `SELECT merchant_id, bucket_type, input_hash, count(*) FROM forecasting.forecast_sets
        GROUP BY 1, 2, 3 HAVING count(*) > 1`,
    );
    expect(dupes.rows).toEqual([]);
    expect(job).toMatch(/forecast-job/);
  });

  it('metrics-server feeds the CPU HPA: ingest reports current utilization and scales out under load', async () => {
    interface Hpa {
      spec: { maxReplicas: number };
      status: {
        desiredReplicas?: number;
        currentMetrics?: { resource?: { name: string; current: { averageUtilization?: number } } }[];
        conditions?: { type: string; status: string }[];
      };
    }
    // Resource metrics of the release's pods through the aggregated API (what `kubectl top` reads).
    const podMetrics = await waitFor('pod metrics of the release', async () => {
      const raw = await sh(kenv, 'kubectl', [
        'get',
        '--raw',
        `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`,
      ]);
      const items = (JSON.parse(raw) as { items: { containers: { usage: { cpu: string } }[] }[] }).items;
      return items.length >= 4 && items;
    });
    expect(podMetrics[0]!.containers[0]!.usage.cpu).toMatch(/^\d+n?$/);
    const hpaName = `${RELEASE}-ingest`;
    const hpa = await waitFor('the ingest HPA to report its current CPU utilization', async () => {
      const h = await kjson<Hpa>('get', 'hpa', hpaName);
      const cpu = h.status.currentMetrics?.find((m) => m.resource?.name === 'cpu');
      return typeof cpu?.resource?.current.averageUtilization === 'number' && h;
    });
    expect(hpa.status.conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'ScalingActive', status: 'True' })]),
    );
    // Load on ingest (20m CPU requested, 70 % target): the HPA computes more replicas, up to its max.
    let loading = true;
    const load = (async () => {
      while (loading) {
        await simulate(ingestUrl, [
          '--merchants',
          '1',
          '--days',
          '10',
          '--orders-per-day',
          '30',
          '--rate',
          '0',
          '--merchant-prefix',
          `hpa-${Date.now().toString(36)}`,
          '--seed',
          'cluster-hpa',
        ]);
      }
    })();
    try {
      await waitFor(
        'the ingest HPA to scale out on CPU',
        async () => {
          const h = await kjson<Hpa>('get', 'hpa', hpaName);
          return (h.status.desiredReplicas ?? 0) === h.spec.maxReplicas && h;
        },
        { timeoutMs: 240_000, intervalMs: 2000 },
      );
    } finally {
      loading = false;
      await load;
    }
    await waitFor('every Deployment Ready after the scale-out', () => allReady(TAG1), { timeoutMs: 300_000 });
    await expectExactTotals();
  });

  it("the aggregator scales on Kafka consumer lag through catcast's own external-metrics provider, and back down", async () => {
    interface LagHpa {
      spec: { minReplicas: number; maxReplicas: number };
      status: {
        currentReplicas?: number;
        desiredReplicas?: number;
        currentMetrics?: { external?: { current: { averageValue?: string; value?: string } } }[];
        conditions?: { type: string; status: string; reason?: string; message?: string }[];
      };
    }
    const started = Date.now();
    const group = `aggregator-${RUN}`;
    const topic = `orders-${RUN}`;
    const metricPath = `/apis/external.metrics.k8s.io/v1beta1/namespaces/${NS}/catcast_consumer_lag?labelSelector=${encodeURIComponent(`consumer_group=${group},topic=${topic}`)}`;
    // Mode adapter: the lag HPA plus cmd/lag-metrics behind the APIService v1beta1.external.metrics.k8s.io.
    // 20 messages per replica and a 15 s scale-down window, so that a burst of a few hundred orders
    // asks for every replica and the way back down fits the suite.
    await sh(
      kenv,
      helm,
      [
        'upgrade',
        RELEASE,
        'charts/catcast',
        ...helmArgs(TAG1, 2),
        '--set',
        'aggregator.autoscaling.mode=adapter',
        '--set',
        'aggregator.autoscaling.minReplicas=1',
        '--set',
        'aggregator.autoscaling.maxReplicas=3',
        '--set',
        'aggregator.autoscaling.lagThreshold=20',
        '--set',
        'aggregator.autoscaling.cooldownPeriodSeconds=15',
        '--set',
        'aggregator.autoscaling.adapter.replicas=1',
        '--set',
        'aggregator.autoscaling.adapter.resources.requests.cpu=20m',
        '--set',
        'aggregator.autoscaling.adapter.resources.requests.memory=64Mi',
        '--wait',
        '--timeout',
        '5m',
      ],
      400_000,
    );
    await waitFor('every Deployment Ready, the provider included', () => allReady(TAG1, 6), {
      timeoutMs: 300_000,
    });
    // kube-apiserver marks the APIService Available once its discovery call through the front proxy
    // (client certificate + X-Remote-User) is answered by the provider.
    await waitFor('the APIService v1beta1.external.metrics.k8s.io to be Available', async () => {
      const api = JSON.parse(
        await sh(kenv, 'kubectl', ['get', 'apiservice', 'v1beta1.external.metrics.k8s.io', '-o', 'json']),
      ) as { status?: { conditions?: { type: string; status: string }[] } };
      return api.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True');
    });
    const readMetric = async () => {
      const list = JSON.parse(await sh(kenv, 'kubectl', ['get', '--raw', metricPath])) as {
        kind: string;
        items: { metricLabels: Record<string, string>; value: string }[];
      };
      expect(list.kind).toBe('ExternalMetricValueList');
      expect(list.items).toHaveLength(1);
      expect(list.items[0]!.metricLabels).toEqual({ consumer_group: group, topic });
      return Number(list.items[0]!.value);
    };
    // Caught up: the metric through kube-apiserver is 0 and the HPA reads it (ScalingActive).
    await waitFor('the external metric to read 0 lag', async () => (await readMetric()) === 0);
    const hpaName = `${RELEASE}-aggregator`;
    await waitFor('the lag HPA to read the External metric', async () => {
      const h = await kjson<LagHpa>('get', 'hpa', hpaName);
      const active = h.status.conditions?.some((c) => c.type === 'ScalingActive' && c.status === 'True');
      return active && h.status.currentMetrics?.[0]?.external !== undefined && h;
    });

    // The provider answers nobody but the front proxy: straight to its pod, without kube-apiserver's
    // client certificate, a forged X-Remote-User gets 401.
    const pods = await kjson<{ items: Pod[] }>(
      'get',
      'pods',
      '-l',
      'app.kubernetes.io/component=lag-metrics',
    );
    const podIp = pods.items.find((p) => p.status.phase === 'Running')?.status.podIP;
    expect(podIp).toBeDefined();
    const direct = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      const req = https.request(
        {
          host: podIp,
          port: 6443,
          path: metricPath,
          rejectUnauthorized: false,
          headers: { 'X-Remote-User': 'system:admin', 'X-Remote-Group': 'system:masters' },
          timeout: 10_000,
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(direct.status).toBe(401);
    expect(direct.body).toContain('no client certificate');

    // Stop the aggregator from keeping up: hold a lock on the table its batches insert into, so no
    // batch commits and no offset moves (any replica the HPA adds is stuck the same way), then
    // send a burst of orders through ingest.
    const blocker = await pool.connect();
    let blocked = true;
    const unblock = async () => {
      if (!blocked) return;
      blocked = false;
      await blocker.query('ROLLBACK');
      blocker.release();
    };
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE forecasting.processed_events IN ACCESS EXCLUSIVE MODE');
      const burst = await simulate(ingestUrl, [
        '--merchants',
        '1',
        '--days',
        '40',
        '--orders-per-day',
        '10',
        '--rate',
        '0',
        '--merchant-prefix',
        `lag-${RUN}`,
        '--seed',
        'cluster-lag',
      ]);
      expect(burst.failed).toBe(0);
      expect(burst.accepted).toBeGreaterThanOrEqual(200);
      // The provider sees the lag (ceil(lag / 20) > maxReplicas), and the HPA scales the aggregator out.
      const peak = await waitFor(
        'the external metric to show the burst',
        async () => {
          const v = await readMetric();
          return v >= 100 && v;
        },
        { timeoutMs: 120_000 },
      );
      const scaled = await waitFor(
        'the lag HPA to scale the aggregator to its maxReplicas',
        async () => {
          const h = await kjson<LagHpa>('get', 'hpa', hpaName);
          const d = await kjson<Deployment>('get', 'deployment', hpaName);
          return (
            h.status.desiredReplicas === h.spec.maxReplicas && d.spec.replicas === h.spec.maxReplicas && h
          );
        },
        { timeoutMs: 180_000, intervalMs: 2000 },
      );
      const seen = Number.parseFloat(
        scaled.status.currentMetrics?.[0]?.external?.current.averageValue ?? '0',
      );
      // averageValue = metric / current replicas: the HPA computed from the provider's number.
      expect(seen).toBeGreaterThan(20);
      console.log(
        `lag step: peak lag ${peak}, HPA scaled 1 -> ${scaled.status.desiredReplicas} after ${Math.round((Date.now() - started) / 1000)} s`,
      );
    } finally {
      await unblock();
    }

    // The lag drains, the metric falls to 0, and after the 15 s window the HPA scales back to 1.
    await waitFor('the lag to drain (external metric 0)', async () => (await readMetric()) === 0, {
      timeoutMs: 180_000,
    });
    await waitFor(
      'the lag HPA to scale the aggregator back to minReplicas',
      async () => {
        const h = await kjson<LagHpa>('get', 'hpa', hpaName);
        const d = await kjson<Deployment>('get', 'deployment', hpaName);
        return h.status.desiredReplicas === h.spec.minReplicas && d.spec.replicas === h.spec.minReplicas;
      },
      { timeoutMs: 180_000, intervalMs: 2000 },
    );
    await waitFor('every Deployment Ready after the scale-down', () => allReady(TAG1, 6), {
      timeoutMs: 300_000,
    });
    await expectExactTotals();
    console.log(`lag step: ${Math.round((Date.now() - started) / 1000)} s in all`);
  });

  it('a merchant signs in through the ingress: OIDC code flow with the identity provider, sealed session cookie, merchant scope enforced', async () => {
    // Last step: it switches the release to auth.mode=jwt, which the steps above (no tokens) predate.
    const gateway = env.CATCAST_CLUSTER_GATEWAY!;
    const clientId = 'catcast-ui';
    const clientSecret = randomBytes(16).toString('hex');
    const callback = `http://${INGRESS_HOST}/ui/auth/callback`;
    const merchants = (
      await pool.query<{ id: string }>('SELECT id FROM ingestion.merchants ORDER BY id LIMIT 2')
    ).rows.map((r) => r.id);
    expect(merchants).toHaveLength(2);
    const [own, other] = merchants as [string, string];
    // The provider outside the cluster on the bridge address, like Postgres and Kafka: pods reach it
    // for discovery, JWKS and the code exchange, the test (the "browser") for its login page.
    idp = await startIdp({
      host: gateway,
      users: { ana: { password: 'ana-password', name: 'Ana Alvarez', merchants: [own] } },
      clientId,
      clientSecret,
      redirectGlobs: [callback],
      postLogoutGlobs: [`http://${INGRESS_HOST}/ui/*`],
    });
    await kubectl(
      'create',
      'secret',
      'generic',
      'catcast-auth',
      `--from-literal=sessionSecret=${randomBytes(24).toString('hex')}`,
      `--from-literal=uiClientSecret=${clientSecret}`,
    );
    const authed = [`${RELEASE}-forecast-api`, `${RELEASE}-aggregator-api`, `${RELEASE}-aggregator`];
    const configChecksum = async (name: string): Promise<string | undefined> =>
      (
        await kjson<{ spec: { template: { metadata: { annotations?: Record<string, string> } } } }>(
          'get',
          'deployment',
          name,
        )
      ).spec.template.metadata.annotations?.['checksum/config'];
    const before = await Promise.all(authed.map(configChecksum));
    await sh(
      kenv,
      helm,
      [
        'upgrade',
        RELEASE,
        'charts/catcast',
        ...helmArgs(TAG1, 2),
        '--set',
        'auth.mode=jwt',
        '--set',
        `auth.issuer=${idp.issuer}`,
        '--set',
        `auth.audience=${clientId}`,
        '--set',
        `auth.uiClientId=${clientId}`,
        // What the pods need to reach the provider where NetworkPolicies are enforced (not on this node).
        '--set',
        `networkPolicy.egressPorts.identityProvider={${new URL(idp.issuer).port}}`,
        '--wait',
        '--timeout',
        '5m',
      ],
      400_000,
    );
    const egress = await kjson<{ spec: { egress: { ports?: { port: number }[] }[] } }>(
      'get',
      'networkpolicy',
      `${RELEASE}-allow-egress-dependencies`,
    );
    expect(egress.spec.egress.flatMap((e) => e.ports ?? []).map((p) => p.port)).toContain(
      Number(new URL(idp.issuer).port),
    );
    // Only settings of the ConfigMap changed, which a running pod does not re-read: the chart's
    // checksum/config annotation changed with them, so helm upgrade itself rolled the pods.
    const after = await Promise.all(authed.map(configChecksum));
    for (const [i, sum] of after.entries()) {
      expect(sum).toMatch(/^[0-9a-f]{64}$/);
      expect(sum).not.toBe(before[i]);
    }
    for (const d of authed) await kubectl('rollout', 'status', `deployment/${d}`, '--timeout=300s');

    const ingressUrl = await traefikUrl();
    const jar = new Map<string, string>();
    const keep = (headers: http.IncomingHttpHeaders) => {
      for (const c of headers['set-cookie'] ?? []) {
        const [pair] = c.split(';');
        const [name, value] = pair!.split(/=(.*)/s) as [string, string];
        if (/max-age=0\b/i.test(c) || value === '') jar.delete(name);
        else jar.set(name, value);
      }
    };
    const cookieHeader = (): Record<string, string> =>
      jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
    /** A request through Traefik to the Ingress host, with the jar's cookies. */
    const viaIngress = async (pathAndQuery: string, cookies = true) => {
      const res = await request(`${ingressUrl}${pathAndQuery}`, {
        headers: { host: INGRESS_HOST, ...(cookies ? cookieHeader() : {}) },
      });
      keep(res.headers);
      return res;
    };

    // The old pods (no auth) linger while they drain, and Traefik drops their endpoints only after
    // that: wait until they are gone, then until every backend behind the ingress asks for sign-in.
    await waitFor('the pods without auth to be gone', async () => {
      const pods = await kjson<{ items: (Pod & { metadata: { deletionTimestamp?: string } })[] }>(
        'get',
        'pods',
        '-l',
        'app.kubernetes.io/component in (forecast-api,aggregator-api)',
      );
      return pods.items.every((p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running');
    });
    const anonymous = [
      '/ui/auth/session',
      `/api/top-categories?merchantId=${own}&bucketType=MONTH`,
      `/forecast/top-categories?merchant_id=${own}&bucket_type=WEEK&limit=3`,
    ];
    await waitFor('every replica behind the ingress to require sign-in', async () => {
      for (let i = 0; i < 8; i++) {
        const res = await request(`${ingressUrl}${anonymous[i % anonymous.length]}`, {
          headers: { host: INGRESS_HOST },
        });
        if (res.status !== 401) return false;
      }
      return true;
    });

    // 1. The UI's login route, through the ingress.
    const deepLink = `/ui/?merchant=${own}&tf=month`;
    const login = await waitFor(
      'the login route through the ingress to redirect to the provider',
      async () => {
        const res = await viaIngress(`/ui/auth/login?return=${encodeURIComponent(deepLink)}`);
        return res.status === 302 && res;
      },
    );
    const authorize = new URL(login.headers.location!);
    expect(authorize.origin + '/').toBe(idp.issuer);
    // The callback forecast-api asks for is the Ingress host's: Traefik passed the Host through.
    expect(authorize.searchParams.get('redirect_uri')).toBe(callback);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');

    // 2. The provider's authorize endpoint sends the browser to its login page.
    const toLogin = await request(authorize.href);
    expect(toLogin.status, toLogin.body.slice(0, 300)).toBe(302);
    const loginPage = new URL(toLogin.headers.location!, authorize);
    const form = await request(loginPage.href);
    expect(form.status).toBe(200);
    const requestId = /name="id" value="([^"]+)"/.exec(form.body)?.[1];
    expect(requestId, form.body.slice(0, 500)).toBeTruthy();

    // 3. The login form, as the user fills it; the provider then redirects to the callback.
    let next = await request(new URL('/login/username', authorize).href, {
      method: 'POST',
      form: { id: requestId!, username: 'ana', password: 'ana-password' },
    });
    while (next.status === 302 && next.headers.location!.startsWith(idp.issuer)) {
      next = await request(next.headers.location!);
    }
    expect(next.status, next.body.slice(0, 300)).toBe(302);
    const back = new URL(next.headers.location!);
    expect(`${back.origin}${back.pathname}`).toBe(callback);

    // 4. The callback through the ingress: the sealed session cookie, and back to the deep link.
    expect(jar.has(SESSION_COOKIE)).toBe(false);
    const done = await viaIngress(`${back.pathname}${back.search}`);
    expect(done.status, done.body.slice(0, 300)).toBe(302);
    expect(done.headers.location).toBe(deepLink);
    const setCookie = (done.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    const session = jar.get(SESSION_COOKIE)!;
    // Sealed: no token readable in it.
    expect(session).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect(Buffer.from(session, 'base64url').toString('latin1')).not.toMatch(/eyJ[\w-]+\.eyJ/);

    // 5. Signed in: the session names the person and their merchants; the APIs behind the ingress
    // answer with the cookie, refuse without it (401) and refuse another merchant (403).
    const who = await viaIngress('/ui/auth/session');
    expect(who.status, who.body).toBe(200);
    expect(who.body).toContain('Ana Alvarez');
    expect(who.body).toContain(own);
    const year = new Date().getUTCFullYear();
    const paths = (m: string) => [
      `/forecast/top-categories?merchant_id=${m}&bucket_type=WEEK&limit=3`,
      `/api/top-categories?merchantId=${m}&bucketType=YEAR&bucketStart=${year}-01-01`,
    ];
    for (const p of paths(own)) {
      const ok = await viaIngress(p);
      expect(ok.status, `${p}: ${ok.body.slice(0, 300)}`).toBe(200);
      const anonymous = await viaIngress(p, false);
      expect(anonymous.status, `${p} without the cookie`).toBe(401);
      expect(anonymous.headers['content-type']).toMatch(/problem\+json/);
    }
    for (const p of paths(other)) {
      const refused = await viaIngress(p);
      expect(refused.status, `${p} of another merchant: ${refused.body.slice(0, 300)}`).toBe(403);
    }
    // A tampered cookie is no session.
    const tampered = await request(`${ingressUrl}${paths(own)[0]}`, {
      headers: { host: INGRESS_HOST, cookie: `${SESSION_COOKIE}=${session.slice(0, -4)}AAAA` },
    });
    expect(tampered.status).toBe(401);
  });
});
