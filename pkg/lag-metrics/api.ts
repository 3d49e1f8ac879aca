import { Hono } from 'hono';
import type { ConsumerLag } from '../kafka/index.js';
import {
  authenticateFrontProxy,
  type Authorizer,
  type Caller,
  type FrontProxyTrust,
  type PeerIdentity,
} from './auth.js';

/** API group and version this provider serves. */
export const EXTERNAL_METRICS_GROUP = 'external.metrics.k8s.io';
export const EXTERNAL_METRICS_VERSION = 'v1beta1';
const GROUP_VERSION = `${EXTERNAL_METRICS_GROUP}/${EXTERNAL_METRICS_VERSION}`;

/** One served series: the lag of a consumer group on a topic. */
export interface LagSeries {
  readonly consumerGroup: string;
  readonly topic: string;
}

/** Reads a consumer group's lag on a topic (pkg/kafka's LagReader). */
export interface LagSource {
  read(groupId: string, topic: string): Promise<ConsumerLag>;
}

/** Options of {@link externalMetricsApp}. */
export interface ExternalMetricsAppOptions {
  /** Name of the External metric, e.g. catcast_consumer_lag. */
  readonly metricName: string;
  /** The series served, labelled consumer_group and topic. */
  readonly series: readonly LagSeries[];
  readonly lag: LagSource;
  readonly authorizer: Authorizer;
  /** kube-apiserver's front-proxy settings. */
  readonly trust: FrontProxyTrust;
  /**
   * The verified client certificate of the request's connection.
   * @default read from the TLS socket of @hono/node-server's `env.incoming`
   */
  readonly peer?: (env: unknown) => PeerIdentity | undefined;
  /** Longest a lag read may take, in ms. @default 5000 */
  readonly readTimeoutMs?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** The TLS socket fields the provider reads (node:tls TLSSocket). */
interface TlsSocketLike {
  readonly authorized?: boolean;
  getPeerCertificate?(): { subject?: { CN?: string | string[] } } | null;
}

/** The client certificate of a @hono/node-server request's TLS connection. */
export function peerFromNodeEnv(env: unknown): PeerIdentity | undefined {
  const socket = (env as { incoming?: { socket?: TlsSocketLike } } | undefined)?.incoming?.socket;
  const cert = socket?.getPeerCertificate?.();
  const cn = cert?.subject?.CN;
  if (cn === undefined) return undefined;
  return { verified: socket?.authorized === true, commonName: Array.isArray(cn) ? cn[0] : cn };
}

/** A Kubernetes Status (the error body Kubernetes clients, kube-apiserver included, understand). */
export function status(code: number, reason: string, message: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
}

/** A parsed label selector requirement. */
export interface Requirement {
  readonly key: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

/** Raised for a label selector this provider does not understand; its message says which part. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/;

/**
 * Parses the equality-based label selectors kube-apiserver passes through (`k=v`, `k==v`, `k!=v`,
 * comma-separated; an HPA's matchLabels arrive as `k=v,...`). Set-based requirements are refused.
 */
export function parseLabelSelector(selector: string): Requirement[] {
  if (selector.trim() === '') return [];
  return selector.split(',').map((part) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*([^=!\s]*)\s*$/.exec(part);
    if (!m) {
      throw new SelectorError(
        `labelSelector: "${part.trim()}" is not an equality requirement (key=value, key==value or key!=value)`,
      );
    }
    const [, key = '', op = '', value = ''] = m;
    if (!LABEL.test(key)) throw new SelectorError(`labelSelector: "${key}" is not a valid label key`);
    if (value !== '' && !LABEL.test(value)) {
      throw new SelectorError(`labelSelector: "${value}" is not a valid label value`);
    }
    return { key, op: op === '!=' ? '!=' : '=', value };
  });
}

/** True when `labels` satisfy every requirement (a missing label equals ""). */
export function matches(labels: Readonly<Record<string, string>>, requirements: readonly Requirement[]) {
  return requirements.every((r) => ((labels[r.key] ?? '') === r.value) === (r.op === '='));
}

/** The labels of a served series. */
export function seriesLabels(s: LagSeries): Record<string, string> {
  return { consumer_group: s.consumerGroup, topic: s.topic };
}

/** metav1.Time: RFC 3339 in UTC with whole seconds. */
function metaTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer from Kafka within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * The Kubernetes external metrics API (external.metrics.k8s.io/v1beta1) for consumer lag: discovery,
 * and GET /apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/{metric}?labelSelector=... answering
 * an ExternalMetricValueList with one item per served series the selector matches, its value the
 * group's total lag (committed offsets behind the log end, summed over partitions). The same series
 * are served in every namespace. Only kube-apiserver's front proxy may call, for a user the cluster
 * authorizes to `list` the metric; errors are Kubernetes Status objects, which is what the
 * aggregation layer and the HPA controller read.
 */
export function externalMetricsApp(
  options: ExternalMetricsAppOptions,
): Hono<{ Variables: { caller: Caller } }> {
  const {
    metricName,
    series,
    lag,
    authorizer,
    trust,
    peer = peerFromNodeEnv,
    readTimeoutMs = 5000,
    now = () => new Date(),
  } = options;
  const app = new Hono<{ Variables: { caller: Caller } }>();
  const fail = (code: 400 | 401 | 403 | 404 | 405 | 503, reason: string, message: string) =>
    Response.json(status(code, reason, message), { status: code });

  // Authentication first, for every path: nothing is answered to a caller that is not the front proxy.
  app.use('*', async (c, next) => {
    const caller = authenticateFrontProxy(peer(c.env), c.req.raw.headers, trust);
    if (typeof caller === 'string') return fail(401, 'Unauthorized', `Unauthorized: ${caller}`);
    c.set('caller', caller);
    if (c.req.method !== 'GET') {
      return fail(405, 'MethodNotAllowed', `the server does not allow ${c.req.method}; only GET`);
    }
    await next();
  });

  const apiGroup = {
    name: EXTERNAL_METRICS_GROUP,
    versions: [{ groupVersion: GROUP_VERSION, version: EXTERNAL_METRICS_VERSION }],
    preferredVersion: { groupVersion: GROUP_VERSION, version: EXTERNAL_METRICS_VERSION },
  };
  app.get('/apis', (c) => c.json({ kind: 'APIGroupList', apiVersion: 'v1', groups: [apiGroup] }));
  app.get(`/apis/${EXTERNAL_METRICS_GROUP}`, (c) =>
    c.json({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup }),
  );
  app.get(`/apis/${GROUP_VERSION}`, (c) =>
    c.json({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: GROUP_VERSION,
      resources: [
        {
          name: metricName,
          singularName: '',
          namespaced: true,
          kind: 'ExternalMetricValueList',
          verbs: ['get'],
        },
      ],
    }),
  );

  app.get(`/apis/${GROUP_VERSION}/namespaces/:namespace/:metric`, async (c) => {
    const namespace = c.req.param('namespace');
    const metric = c.req.param('metric');
    const caller = c.get('caller');
    const decision = await authorizer.authorize(caller, {
      namespace,
      verb: 'list',
      group: EXTERNAL_METRICS_GROUP,
      version: EXTERNAL_METRICS_VERSION,
      resource: metric,
    });
    if (!decision.allowed) {
      return fail(
        403,
        'Forbidden',
        `${metric}.${EXTERNAL_METRICS_GROUP} is forbidden: User "${caller.user}" cannot list resource "${metric}" in API group "${EXTERNAL_METRICS_GROUP}" in the namespace "${namespace}"${decision.reason ? `: ${decision.reason}` : ''}`,
      );
    }
    if (metric !== metricName) {
      return fail(404, 'NotFound', `the server could not find the metric ${metric}; it serves ${metricName}`);
    }
    let requirements: Requirement[];
    try {
      requirements = parseLabelSelector(c.req.query('labelSelector') ?? '');
    } catch (err) {
      if (err instanceof SelectorError) return fail(400, 'BadRequest', err.message);
      throw err;
    }
    const selected = series.filter((s) => matches(seriesLabels(s), requirements));
    let lags: ConsumerLag[];
    try {
      lags = await Promise.all(
        selected.map((s) =>
          withTimeout(
            lag.read(s.consumerGroup, s.topic),
            readTimeoutMs,
            `lag of ${s.consumerGroup} on ${s.topic}`,
          ),
        ),
      );
    } catch (err) {
      return fail(503, 'ServiceUnavailable', `cannot read consumer lag: ${(err as Error).message}`);
    }
    const timestamp = metaTime(now());
    return c.json({
      kind: 'ExternalMetricValueList',
      apiVersion: GROUP_VERSION,
      metadata: {},
      items: selected.map((s, i) => ({
        metricName,
        metricLabels: seriesLabels(s),
        timestamp,
        value: String(lags[i]?.total ?? 0),
      })),
    });
  });

  app.notFound((c) =>
    fail(404, 'NotFound', `the server could not find the requested resource ${c.req.path}`),
  );
  app.onError((err) => fail(503, 'ServiceUnavailable', `cannot answer: ${err.message}`));
  return app;
}
