// The external-metrics provider (pkg/lag-metrics) against a real Kafka broker and a real
// kube-apiserver: the lag it serves is the group's committed offsets behind the log end, summed over
// partitions, as offsets move; its SubjectAccessReviews are answered by the API server's RBAC.
import { randomBytes } from 'node:crypto';
import { AuthorizationV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka, LagReader } from '../../pkg/kafka/index.js';
import {
  externalMetricsApp,
  subjectAccessReviewAuthorizer,
  type FrontProxyTrust,
  type PeerIdentity,
} from '../../pkg/lag-metrics/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { adminKubeconfig } from './support/kube.js';
import { waitFor } from './support/wait.js';

const suffix = randomBytes(4).toString('hex');
const TOPIC = `lag-it-${suffix}`;
const GROUP = `lag-it-${suffix}`;
const PER_PARTITION = [30, 12, 0, 7];
const BASE = '/apis/external.metrics.k8s.io/v1beta1';
const FRONT_PROXY: PeerIdentity = { verified: true, commonName: 'front-proxy-client' };
const TRUST: FrontProxyTrust = {
  clientCa: 'verified by the TLS layer; not used by the app',
  allowedNames: ['front-proxy-client'],
  usernameHeaders: ['X-Remote-User'],
  groupHeaders: ['X-Remote-Group'],
  extraHeaderPrefixes: ['X-Remote-Extra-'],
};

let kafka: Kafka;
let reader: LagReader;
let app: ReturnType<typeof externalMetricsApp>;

beforeAll(async () => {
  kafka = createKafka({
    brokers: inject('kafkaBrokers').split(','),
    clientId: 'lag-it',
    logger: silentLogger(),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic: TOPIC, numPartitions: PER_PARTITION.length }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic: TOPIC,
      messages: PER_PARTITION.flatMap((n, partition) =>
        Array.from({ length: n }, (_, i) => ({ partition, value: `m-${partition}-${i}` })),
      ),
    });
  } finally {
    await producer.disconnect();
  }
  reader = new LagReader(kafka.admin());
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfig());
  app = externalMetricsApp({
    metricName: 'catcast_consumer_lag',
    series: [{ consumerGroup: GROUP, topic: TOPIC }],
    lag: reader,
    authorizer: subjectAccessReviewAuthorizer(kc.makeApiClient(AuthorizationV1Api)),
    trust: TRUST,
    peer: () => FRONT_PROXY,
    readTimeoutMs: 15_000,
  });
}, 60_000);

afterAll(async () => {
  await reader?.close();
});

async function served(user = 'it-admin', groups = 'system:masters') {
  const res = await app.request(
    `${BASE}/namespaces/default/catcast_consumer_lag?labelSelector=${encodeURIComponent(`consumer_group=${GROUP},topic=${TOPIC}`)}`,
    { headers: { 'X-Remote-User': user, 'X-Remote-Group': groups } },
  );
  return {
    status: res.status,
    body: (await res.json()) as { items?: { value: string }[]; reason?: string; message?: string },
  };
}

async function commit(offsets: Array<[partition: number, offset: number]>) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.setOffsets({
      groupId: GROUP,
      topic: TOPIC,
      partitions: offsets.map(([partition, offset]) => ({ partition, offset: String(offset) })),
    });
  } finally {
    await admin.disconnect();
  }
}

describe('lag-metrics on a real broker and API server', () => {
  it('serves the whole topic as lag before the group ever committed', { timeout: 90_000 }, async () => {
    // A fresh broker creates __consumer_offsets on the first group request; until the group
    // coordinator answers, the provider says 503 (never a made-up 0).
    let last: Awaited<ReturnType<typeof served>> | undefined;
    const { status, body } = await waitFor(
      'the group coordinator to answer',
      async () => {
        last = await served();
        if (last.status === 503) return undefined;
        return last;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    ).catch((err: unknown) => {
      throw new Error(`last answer: ${JSON.stringify(last)}`, { cause: err });
    });
    expect({ status, body }).toMatchObject({ status: 200 });
    expect(body.items).toHaveLength(1);
    expect(body.items?.[0]?.value).toBe(String(PER_PARTITION.reduce((a, b) => a + b, 0)));
  });

  it(
    'subtracts committed offsets per partition, and reaches 0 when the group has committed everything',
    { timeout: 90_000 },
    async () => {
      await commit([
        [0, 25],
        [1, 12],
        [3, 1],
      ]);
      // partition 0: 30-25, partition 1: 12-12, partition 2: empty, partition 3: 7-1
      expect((await served()).body.items?.[0]?.value).toBe('11');
      await commit(PER_PARTITION.map((n, p) => [p, n]));
      expect((await served()).body.items?.[0]?.value).toBe('0');
    },
  );

  it('answers 403 for a user RBAC does not allow to list the metric (a real SubjectAccessReview)', async () => {
    const denied = await served(`nobody-${suffix}`, 'system:authenticated');
    expect(denied.status).toBe(403);
    expect(denied.body.reason).toBe('Forbidden');
  });
});
