import { readFile } from 'node:fs/promises';
import { AuthorizationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { opsRoutes, serveUntilAborted } from '../http/index.js';
import { createKafka, LagReader } from '../kafka/index.js';
import { createLogger, type Logger } from '../log/index.js';
import { Counter, createRegistry, type Registry } from '../metrics/index.js';
import { abortableSleep, backoffDelay } from '../retry/index.js';
import { externalMetricsApp, type LagSource } from './api.js';
import {
  AUTHENTICATION_CONFIGMAP,
  parseFrontProxyTrust,
  subjectAccessReview,
  type Authorizer,
  type FrontProxyTrust,
} from './auth.js';
import { selfSignedCertificate, type ServingCertificate } from './cert.js';
import type { LagMetricsConfig } from './config.js';

/** Optional collaborators of {@link run}; each defaults to the production choice. */
export interface LagMetricsDeps {
  /** @default a JSON logger at LOG_LEVEL */
  readonly logger?: Logger;
  /** @default a new registry labelled service="lag-metrics" */
  readonly registry?: Registry;
  /** Credentials for the ConfigMap read and the SubjectAccessReviews. @default loadFromDefault() (in a pod: its service account) */
  readonly kubeConfig?: KubeConfig;
  /** @default a kafkajs admin client on KAFKA_BROKERS */
  readonly lag?: LagSource;
  /** Called with the bound ports (tests use PORT=0 and SECURE_PORT=0). */
  readonly onListening?: (ports: { ops: number; secure: number }) => void;
}

/** Asks the cluster's authorizer with SubjectAccessReviews (needs system:auth-delegator). */
export function subjectAccessReviewAuthorizer(api: AuthorizationV1Api): Authorizer {
  return {
    async authorize(caller, request) {
      const review = await api.createSubjectAccessReview({ body: subjectAccessReview(caller, request) });
      return { allowed: review.status?.allowed === true, reason: review.status?.reason };
    },
  };
}

/**
 * Reads kube-apiserver's front-proxy settings, retrying while the API server cannot be reached (the
 * pod may start before its RBAC or the network is there); a ConfigMap without them fails at once.
 */
async function loadTrust(
  kc: KubeConfig,
  logger: Logger,
  signal: AbortSignal,
): Promise<FrontProxyTrust | undefined> {
  const core = kc.makeApiClient(CoreV1Api);
  for (let attempt = 1; !signal.aborted; attempt++) {
    let data: Record<string, string> | undefined;
    try {
      data = (await core.readNamespacedConfigMap(AUTHENTICATION_CONFIGMAP)).data;
    } catch (err) {
      const delay = backoffDelay(attempt, 500, 10_000);
      logger.warn(
        { err, retryInMs: delay },
        `cannot read ${AUTHENTICATION_CONFIGMAP.namespace}/${AUTHENTICATION_CONFIGMAP.name} yet; retrying`,
      );
      await abortableSleep(delay, signal);
      continue;
    }
    return parseFrontProxyTrust(data);
  }
  return undefined;
}

async function servingCertificate(config: LagMetricsConfig): Promise<ServingCertificate> {
  if (config.TLS_CERT_FILE && config.TLS_KEY_FILE) {
    return {
      cert: await readFile(config.TLS_CERT_FILE, 'utf8'),
      key: await readFile(config.TLS_KEY_FILE, 'utf8'),
    };
  }
  return selfSignedCertificate({ commonName: 'catcast-lag-metrics', dnsNames: config.TLS_DNS_NAMES });
}

/**
 * Runs the external-metrics provider until `signal` aborts: reads kube-apiserver's front-proxy
 * trust, serves external.metrics.k8s.io/v1beta1 (the consumer group's lag, read from Kafka on each
 * request) over HTTPS on SECURE_PORT, and /health, /ready (Kafka answers), /metrics on PORT.
 */
export async function run(
  config: LagMetricsConfig,
  signal: AbortSignal,
  deps: LagMetricsDeps = {},
): Promise<void> {
  const logger = deps.logger ?? createLogger({ service: 'lag-metrics', level: config.LOG_LEVEL });
  const registry = deps.registry ?? createRegistry('lag-metrics');
  const kc = deps.kubeConfig ?? new KubeConfig();
  if (!deps.kubeConfig) kc.loadFromDefault();
  const trust = await loadTrust(kc, logger, signal);
  if (!trust) return;
  const cert = await servingCertificate(config);

  const closers: Array<() => Promise<void>> = [];
  let lag = deps.lag;
  if (!lag) {
    const kafka = createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: `${config.KAFKA_CLIENT_ID}-lag-metrics`,
      logger,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
    });
    const reader = new LagReader(kafka.admin());
    closers.push(() => reader.close().catch(() => undefined));
    lag = reader;
  }
  const source = lag;
  const answered = new Counter({
    name: 'catcast_lag_metrics_requests_total',
    help: 'External metrics API requests answered, by HTTP status code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const api = externalMetricsApp({
    metricName: config.LAG_METRIC_NAME,
    series: [{ consumerGroup: config.KAFKA_CONSUMER_GROUP, topic: config.KAFKA_TOPIC }],
    lag: source,
    authorizer: subjectAccessReviewAuthorizer(kc.makeApiClient(AuthorizationV1Api)),
    trust,
    readTimeoutMs: config.LAG_READ_TIMEOUT_MS,
  });
  api.use('*', async (c, next) => {
    await next();
    answered.inc({ code: String(c.res.status) });
  });

  let accepting = true;
  signal.addEventListener('abort', () => (accepting = false), { once: true });
  let opsPort: number | undefined;
  let securePort: number | undefined;
  const listening = () => {
    if (opsPort !== undefined && securePort !== undefined)
      deps.onListening?.({ ops: opsPort, secure: securePort });
  };
  logger.info(
    { metric: config.LAG_METRIC_NAME, consumerGroup: config.KAFKA_CONSUMER_GROUP, topic: config.KAFKA_TOPIC },
    'serving external metrics',
  );
  try {
    await Promise.all([
      serveUntilAborted(
        {
          app: opsRoutes({
            checks: {
              kafka: async () => {
                await source.read(config.KAFKA_CONSUMER_GROUP, config.KAFKA_TOPIC);
              },
            },
            registry,
            accepting: () => accepting,
          }),
          port: config.PORT,
          host: config.HOST,
          logger,
          drainMs: 2_000,
          onListening: (p) => {
            opsPort = p;
            listening();
          },
        },
        signal,
      ),
      serveUntilAborted(
        {
          app: api,
          port: config.SECURE_PORT,
          host: config.HOST,
          logger,
          drainMs: 2_000,
          // Client certificates are asked for and checked against the front-proxy CA, but a
          // connection without one is not cut: the app answers it 401 (a Status the caller can read).
          tls: { ...cert, ca: trust.clientCa, requestCert: true, rejectUnauthorized: false },
          onListening: (p) => {
            securePort = p;
            listening();
          },
        },
        signal,
      ),
    ]);
  } finally {
    for (const close of closers) await close();
  }
  logger.info('lag-metrics stopped');
}
