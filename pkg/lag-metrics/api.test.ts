import { once } from 'node:events';
import { request } from 'node:https';
import { describe, expect, it } from 'vitest';
import type { ConsumerLag } from '../kafka/index.js';
import { createLogger } from '../log/index.js';
import { serveUntilAborted } from '../http/index.js';
import { externalMetricsApp, matches, parseLabelSelector, type LagSource } from './api.js';
import type { Authorizer, Caller, FrontProxyTrust, PeerIdentity, ResourceRequest } from './auth.js';
import { selfSignedCertificate } from './cert.js';

const BASE = '/apis/external.metrics.k8s.io/v1beta1';
const FRONT_PROXY: PeerIdentity = { verified: true, commonName: 'front-proxy-client' };
const HPA = 'system:serviceaccount:kube-system:horizontal-pod-autoscaler';

function trustWith(clientCa = 'unused'): FrontProxyTrust {
  return {
    clientCa,
    allowedNames: ['front-proxy-client'],
    usernameHeaders: ['X-Remote-User'],
    groupHeaders: ['X-Remote-Group'],
    extraHeaderPrefixes: ['X-Remote-Extra-'],
  };
}

function lagOf(groupId: string, topic: string, perPartition: number[]): ConsumerLag {
  const partitions = perPartition.map((lag, partition) => ({
    partition,
    committed: '0',
    end: String(lag),
    lag,
  }));
  return { groupId, topic, partitions, total: perPartition.reduce((a, b) => a + b, 0) };
}

function setup(
  opts: { allowed?: boolean; lag?: LagSource; series?: { consumerGroup: string; topic: string }[] } = {},
) {
  const reviews: Array<{ caller: Caller; request: ResourceRequest }> = [];
  const reads: string[] = [];
  const authorizer: Authorizer = {
    authorize(caller, request) {
      reviews.push({ caller, request });
      return Promise.resolve({
        allowed: opts.allowed ?? true,
        reason: opts.allowed === false ? 'no rule' : undefined,
      });
    },
  };
  const lag: LagSource = opts.lag ?? {
    read(groupId, topic) {
      reads.push(`${groupId}/${topic}`);
      return Promise.resolve(lagOf(groupId, topic, [3, 0, 4]));
    },
  };
  const app = externalMetricsApp({
    metricName: 'catcast_consumer_lag',
    series: opts.series ?? [{ consumerGroup: 'catcast-aggregator', topic: 'order-events' }],
    lag,
    authorizer,
    trust: trustWith(),
    peer: (env) => (env as { peer?: PeerIdentity }).peer,
    readTimeoutMs: 100,
    now: () => new Date('2026-05-01T10:00:00.123Z'),
  });
  const get = (path: string, peer: PeerIdentity | null = FRONT_PROXY, headers: Record<string, string> = {}) =>
    app.request(
      path,
      { headers: { 'X-Remote-User': HPA, 'X-Remote-Group': 'system:serviceaccounts', ...headers } },
      { peer: peer ?? undefined },
    );
  return { app, get, reviews, reads };
}

describe('external metrics API', () => {
  it('answers an ExternalMetricValueList with the total lag of the selected group and topic', async () => {
    const { get, reads } = setup();
    const res = await get(
      `${BASE}/namespaces/catcast/catcast_consumer_lag?labelSelector=consumer_group%3Dcatcast-aggregator%2Ctopic%3Dorder-events`,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      kind: 'ExternalMetricValueList',
      apiVersion: 'external.metrics.k8s.io/v1beta1',
      metadata: {},
      items: [
        {
          metricName: 'catcast_consumer_lag',
          metricLabels: { consumer_group: 'catcast-aggregator', topic: 'order-events' },
          timestamp: '2026-05-01T10:00:00Z',
          value: '7',
        },
      ],
    });
    expect(reads).toEqual(['catcast-aggregator/order-events']);
  });

  it.each([
    ['consumer_group=other', []],
    ['topic!=t', []],
    ['', ['a/t', 'b/t']],
    ['consumer_group==b', ['b/t']],
    ['topic=t,consumer_group!=a', ['b/t']],
  ])('selector %j selects %j, and reads only those', async (selector, expected) => {
    const { get, reads } = setup({
      series: [
        { consumerGroup: 'a', topic: 't' },
        { consumerGroup: 'b', topic: 't' },
      ],
    });
    const res = await get(
      `${BASE}/namespaces/x/catcast_consumer_lag?labelSelector=${encodeURIComponent(selector)}`,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { metricLabels: Record<string, string> }[] };
    expect(body.items.map((i) => `${i.metricLabels.consumer_group}/${i.metricLabels.topic}`)).toEqual(
      expected,
    );
    expect(reads).toEqual(expected);
  });

  it('serves discovery: the API group and the one metric as a namespaced resource', async () => {
    const { get } = setup();
    const res = await get(BASE);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'external.metrics.k8s.io/v1beta1',
      resources: [
        {
          name: 'catcast_consumer_lag',
          singularName: '',
          namespaced: true,
          kind: 'ExternalMetricValueList',
          verbs: ['get'],
        },
      ],
    });
    const group = (await (await get('/apis/external.metrics.k8s.io')).json()) as {
      kind: string;
      preferredVersion: unknown;
    };
    expect(group.kind).toBe('APIGroup');
    expect(group.preferredVersion).toEqual({
      groupVersion: 'external.metrics.k8s.io/v1beta1',
      version: 'v1beta1',
    });
  });

  it('asks the cluster whether the forwarded user may list the metric in that namespace', async () => {
    const { get, reviews } = setup();
    await get(`${BASE}/namespaces/catcast/catcast_consumer_lag`, FRONT_PROXY, {
      'X-Remote-Extra-Scopes%2Fa': 'x, y',
    });
    expect(reviews).toEqual([
      {
        caller: { user: HPA, groups: ['system:serviceaccounts'], extra: { 'scopes/a': ['x', 'y'] } },
        request: {
          namespace: 'catcast',
          verb: 'list',
          group: 'external.metrics.k8s.io',
          version: 'v1beta1',
          resource: 'catcast_consumer_lag',
        },
      },
    ]);
  });

  it('answers 403 with a Status when the user is not authorized, before reading Kafka', async () => {
    const { get, reads } = setup({ allowed: false });
    const res = await get(`${BASE}/namespaces/catcast/catcast_consumer_lag`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
    });
    expect(reads).toEqual([]);
  });

  it.each<[string, PeerIdentity | null, Record<string, string>, string]>([
    ['no client certificate', null, {}, 'no client certificate'],
    [
      'a certificate the front-proxy CA did not sign',
      { verified: false, commonName: 'front-proxy-client' },
      {},
      'not signed',
    ],
    [
      'a signed certificate with another name',
      { verified: true, commonName: 'someone' },
      {},
      'name not allowed',
    ],
    ['no user header', FRONT_PROXY, { 'X-Remote-User': '' }, 'no user header'],
  ])('refuses %s with 401 on every path, discovery included', async (_, peer, headers, message) => {
    const { get, reviews, reads } = setup();
    for (const path of [BASE, `${BASE}/namespaces/catcast/catcast_consumer_lag`]) {
      const res = await get(path, peer, headers);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { kind: string; message: string };
      expect(body.kind).toBe('Status');
      expect(body.message).toContain(message);
    }
    expect(reviews).toEqual([]);
    expect(reads).toEqual([]);
  });

  it.each([
    ['an unknown metric', `${BASE}/namespaces/catcast/other_metric`, 404, 'NotFound', 'other_metric'],
    [
      'a set-based selector',
      `${BASE}/namespaces/catcast/catcast_consumer_lag?labelSelector=topic+in+(a,b)`,
      400,
      'BadRequest',
      'topic in (a',
    ],
    [
      'a bad label key',
      `${BASE}/namespaces/catcast/catcast_consumer_lag?labelSelector=-x%3D1`,
      400,
      'BadRequest',
      '"-x"',
    ],
    ['an unknown path', `${BASE}/nodes`, 404, 'NotFound', '/nodes'],
  ])('answers %s with a Status naming it', async (_, path, code, reason, named) => {
    const { get } = setup();
    const res = await get(path);
    expect(res.status).toBe(code);
    const body = (await res.json()) as { reason: string; message: string; code: number };
    expect(body.reason).toBe(reason);
    expect(body.code).toBe(code);
    expect(body.message).toContain(named);
  });

  it('refuses writes', async () => {
    const { app } = setup();
    const res = await app.request(
      `${BASE}/namespaces/catcast/catcast_consumer_lag`,
      { method: 'POST', headers: { 'X-Remote-User': HPA } },
      { peer: FRONT_PROXY },
    );
    expect(res.status).toBe(405);
  });

  it.each([
    ['fails', () => Promise.reject(new Error('broker down'))],
    ['hangs', () => new Promise<ConsumerLag>(() => undefined)],
  ])('answers 503 when Kafka %s, never a made-up value', async (_, read) => {
    const { get } = setup({ lag: { read } });
    const res = await get(`${BASE}/namespaces/catcast/catcast_consumer_lag`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable' });
  });
});

describe('parseLabelSelector', () => {
  it('reads equality requirements and matches a missing label as empty', () => {
    const r = parseLabelSelector(' consumer_group = g , topic==t,env!=prod ');
    expect(r).toEqual([
      { key: 'consumer_group', op: '=', value: 'g' },
      { key: 'topic', op: '=', value: 't' },
      { key: 'env', op: '!=', value: 'prod' },
    ]);
    expect(matches({ consumer_group: 'g', topic: 't' }, r)).toBe(true);
    expect(matches({ consumer_group: 'g', topic: 't', env: 'prod' }, r)).toBe(false);
  });
});

describe('over TLS with client certificates', () => {
  it('believes the user headers only from a connection whose certificate the front-proxy CA signed', async () => {
    // A self-signed certificate is its own CA: trusting it as the requestheader CA signs it.
    const frontProxy = selfSignedCertificate({ commonName: 'front-proxy-client' });
    const impostor = selfSignedCertificate({ commonName: 'front-proxy-client' });
    const serving = selfSignedCertificate({ commonName: 'lag-metrics', dnsNames: ['localhost'] });
    const app = externalMetricsApp({
      metricName: 'catcast_consumer_lag',
      series: [{ consumerGroup: 'g', topic: 't' }],
      lag: { read: (g, t) => Promise.resolve(lagOf(g, t, [5])) },
      authorizer: { authorize: () => Promise.resolve({ allowed: true }) },
      trust: trustWith(frontProxy.cert),
    });
    const controller = new AbortController();
    let port = 0;
    const listening = new Promise<void>((resolve) => {
      void serveUntilAborted(
        {
          app,
          port: 0,
          host: '127.0.0.1',
          logger: createLogger({ service: 'test', level: 'silent' }),
          drainMs: 100,
          tls: { ...serving, ca: frontProxy.cert, requestCert: true, rejectUnauthorized: false },
          onListening: (p) => {
            port = p;
            resolve();
          },
        },
        controller.signal,
      );
    });
    await listening;
    const call = async (client?: { cert: string; key: string }) => {
      const req = request({
        host: '127.0.0.1',
        port,
        path: `${BASE}/namespaces/n/catcast_consumer_lag`,
        ca: serving.cert,
        servername: 'localhost',
        headers: { 'X-Remote-User': HPA },
        agent: false,
        ...client,
      });
      req.end();
      const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
      let body = '';
      for await (const chunk of res) body += String(chunk);
      return {
        status: res.statusCode,
        body: JSON.parse(body) as { items?: { value: string }[]; message?: string },
      };
    };
    try {
      const ok = await call(frontProxy);
      expect(ok.status).toBe(200);
      expect(ok.body.items?.[0]?.value).toBe('5');
      const forged = await call(impostor);
      expect(forged.status).toBe(401);
      expect(forged.body.message).toContain('not signed by the front-proxy CA');
      const none = await call();
      expect(none.status).toBe(401);
      expect(none.body.message).toContain('no client certificate');
    } finally {
      controller.abort();
    }
  });
});
