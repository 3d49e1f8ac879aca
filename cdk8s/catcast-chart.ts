import { createHash } from 'node:crypto';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { Aggregator, AGGREGATOR_PORT } from './aggregator.js';
import { AggregatorApi } from './aggregator-api.js';
import { AppConfig } from './app-config.js';
import { ForecastApi, FORECAST_API_PORT } from './forecast-api.js';
import { ForecastJob } from './forecast-job.js';
import { CatcastIngress } from './ingress.js';
import { Ingest, INGEST_PORT } from './ingest.js';
import { MigrationJob } from './migration-job.js';
import { CatcastMonitoring } from './monitoring.js';
import { CatcastNetworkPolicies } from './network-policies.js';
import type { SecretEnv } from './pod-security.js';
import { LagMetricsAdapter, LAG_METRICS_PORT, LAG_METRICS_SECURE_PORT } from './lag-metrics-adapter.js';
import { Relay, RELAY_PORT } from './relay.js';
import type { CatcastValues, HttpComponentValues } from './values.js';
import type { WorkloadCommon } from './workload-defaults.js';

/** Props of {@link CatcastChart}. */
export interface CatcastChartProps {
  /** Release name: prefix of every object name, app.kubernetes.io/instance. @default 'catcast' */
  readonly release?: string;
  /**
   * Namespace the release is installed in; only objects that must name it carry it (the
   * APIService's Service, RBAC subjects). @default 'default' (what `helm template` renders without -n)
   */
  readonly namespace?: string;
  /** The resolved values tree (charts/catcast/values.yaml plus overrides). */
  readonly values: CatcastValues;
  /**
   * Pod-template annotation `checksum/config`: a change of the ConfigMap must roll the Deployments
   * that read it with envFrom (Kubernetes does not restart pods for a changed ConfigMap).
   * @default sha256 of the ConfigMap's data (the Helm chart passes `include … | sha256sum` instead)
   */
  readonly configChecksum?: string;
}

/** Environment shared by all binaries through the ConfigMap (empty strings are left out). */
export function configData(v: CatcastValues): Record<string, string> {
  const otelOn = v.otel.endpoint !== '';
  return {
    HOST: '0.0.0.0',
    // The binaries' drain budget after SIGTERM: what the grace period leaves after the preStop
    // sleep, minus 5 s of margin so that they exit before the kubelet's SIGKILL.
    SHUTDOWN_TIMEOUT_SECONDS: String(
      Math.max(1, v.pod.terminationGracePeriodSeconds - v.pod.preStopSleepSeconds - 5),
    ),
    LOG_LEVEL: v.logLevel,
    NODE_OPTIONS: v.nodeOptions,
    DATABASE_POOL_MAX: String(v.database.poolMax),
    KAFKA_BROKERS: v.kafka.brokers,
    KAFKA_TOPIC: v.kafka.topic,
    KAFKA_DLQ_TOPIC: v.kafka.dlqTopic,
    KAFKA_CONSUMER_GROUP: v.kafka.consumerGroup,
    KAFKA_TOPIC_PARTITIONS: String(v.kafka.partitions),
    AUTH_MODE: v.auth.mode,
    AUTH_JWKS_URL: v.auth.jwksUrl,
    AUTH_ISSUER: v.auth.issuer,
    AUTH_AUDIENCE: v.auth.audience,
    AUTH_MERCHANTS_CLAIM: v.auth.merchantsClaim,
    AUTH_GROUPS_CLAIM: v.auth.groupsClaim,
    AUTH_GROUP_MERCHANTS: v.auth.groupMerchants,
    AUTH_DEFAULT_SCOPES: v.auth.defaultScopes,
    UI_OIDC_CLIENT_ID: v.auth.uiClientId,
    UI_PUBLIC_URL: v.auth.uiPublicUrl,
    OTEL_SDK_DISABLED: otelOn ? 'false' : 'true',
    OTEL_EXPORTER_OTLP_ENDPOINT: v.otel.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: v.otel.protocol,
    OTEL_TRACES_SAMPLER: v.otel.tracesSampler,
    OTEL_TRACES_SAMPLER_ARG: v.otel.tracesSamplerArg,
    // deployment.environment.name is the current semantic convention; the old key is kept for
    // backends that still group by it.
    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=${v.environment},deployment.environment=${v.environment}`,
  };
}

function cpuAutoscaling(c: HttpComponentValues) {
  return c.autoscaling.enabled
    ? {
        minReplicas: c.autoscaling.minReplicas,
        maxReplicas: c.autoscaling.maxReplicas,
        targetCPUUtilizationPercentage: c.autoscaling.targetCPUUtilizationPercentage,
      }
    : undefined;
}

/** Every catcast object of one release, built from a values tree (the same one Helm renders). */
export class CatcastChart extends Chart {
  constructor(scope: Construct, id: string, props: CatcastChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const v = props.values;
    const release = props.release ?? 'catcast';
    if (!/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/.test(release)) {
      throw new Error(
        `release '${release}' must be a DNS label of at most 40 characters (object names append suffixes)`,
      );
    }
    const version = v.image.tag;
    const data = configData(v);
    const config = new AppConfig(this, 'config', { release, version, data });
    const configChecksum =
      props.configChecksum ?? createHash('sha256').update(JSON.stringify(data)).digest('hex');

    const databaseEnv: SecretEnv[] = [
      { name: 'DATABASE_URL', secretName: v.database.secretName, key: v.database.urlKey },
      {
        name: 'DATABASE_READ_URL',
        secretName: v.database.secretName,
        key: v.database.readUrlKey,
        optional: true,
      },
    ];
    const authEnv: SecretEnv[] = [
      {
        name: 'AUTH_HS256_SECRET',
        secretName: v.auth.secretName,
        key: v.auth.hs256SecretKey,
        optional: true,
      },
      { name: 'AUTH_PUBLIC_KEY', secretName: v.auth.secretName, key: v.auth.publicKeyKey, optional: true },
      // The UI's sign-in session cookie is opened by forecast-api and the aggregator (same secret).
      {
        name: 'AUTH_SESSION_SECRET',
        secretName: v.auth.secretName,
        key: v.auth.sessionSecretKey,
        optional: true,
      },
      {
        name: 'UI_OIDC_CLIENT_SECRET',
        secretName: v.auth.secretName,
        key: v.auth.uiClientSecretKey,
        optional: true,
      },
    ];
    const common: WorkloadCommon = {
      release,
      version,
      image: `${v.image.repository}:${v.image.tag}`,
      imagePullPolicy: v.image.pullPolicy,
      imagePullSecrets: v.imagePullSecrets,
      configMapName: config.name,
      configChecksum,
      databaseEnv,
      authEnv,
      terminationGracePeriodSeconds: v.pod.terminationGracePeriodSeconds,
      preStopSleepSeconds: v.pod.preStopSleepSeconds,
      topologySpread: v.pod.topologySpread,
    };

    const ingest = new Ingest(this, 'ingest', {
      ...common,
      replicas: v.ingest.replicas,
      resources: v.ingest.resources,
      pdbMaxUnavailable: v.ingest.pdb.maxUnavailable,
      autoscaling: cpuAutoscaling(v.ingest),
    });
    new Relay(this, 'relay', {
      ...common,
      replicas: v.relay.replicas,
      maxReplicas: v.relay.maxReplicas,
      resources: v.relay.resources,
      pdbMaxUnavailable: v.relay.pdb.maxUnavailable,
    });
    const a = v.aggregator.autoscaling;
    new Aggregator(this, 'aggregator', {
      ...common,
      replicas: v.aggregator.replicas,
      resources: v.aggregator.resources,
      pdbMaxUnavailable: v.aggregator.pdb.maxUnavailable,
      lagAutoscaling:
        a.mode === 'none'
          ? undefined
          : {
              // adapter: the same External-metric HPA, served by the provider below.
              mode: a.mode === 'keda' ? 'keda' : 'hpa',
              minReplicas: a.minReplicas,
              maxReplicas: a.maxReplicas,
              partitions: v.kafka.partitions,
              bootstrapServers: v.kafka.brokers,
              consumerGroup: v.kafka.consumerGroup,
              topic: v.kafka.topic,
              lagThreshold: a.lagThreshold,
              pollingIntervalSeconds: a.pollingIntervalSeconds,
              cooldownPeriodSeconds: a.cooldownPeriodSeconds,
              externalMetricName: a.externalMetricName,
            },
    });
    if (a.mode === 'adapter') {
      new LagMetricsAdapter(this, 'lag-metrics', {
        ...common,
        namespace: props.namespace ?? 'default',
        metricName: a.externalMetricName,
        replicas: a.adapter.replicas,
        resources: a.adapter.resources,
      });
    }
    const aggregatorApi = new AggregatorApi(this, 'aggregator-api', {
      ...common,
      replicas: v.aggregatorApi.replicas,
      resources: v.aggregatorApi.resources,
      pdbMaxUnavailable: v.aggregatorApi.pdb.maxUnavailable,
      autoscaling: cpuAutoscaling(v.aggregatorApi),
    });
    const forecastApi = new ForecastApi(this, 'forecast-api', {
      ...common,
      replicas: v.forecastApi.replicas,
      resources: v.forecastApi.resources,
      pdbMaxUnavailable: v.forecastApi.pdb.maxUnavailable,
      autoscaling: cpuAutoscaling(v.forecastApi),
    });

    const f = v.forecastJob;
    new ForecastJob(this, 'forecast-job', {
      ...common,
      schedule: f.schedule,
      periodSeconds: f.periodSeconds,
      shardCount: f.shardCount,
      startingDeadlineSeconds: f.startingDeadlineSeconds,
      backoffLimit: f.backoffLimit,
      activeDeadlineSeconds: f.activeDeadlineSeconds,
      successfulJobsHistoryLimit: f.successfulJobsHistoryLimit,
      failedJobsHistoryLimit: f.failedJobsHistoryLimit,
      leaseStore: f.leaseStore,
      resources: f.resources,
    });

    if (v.migration.enabled) {
      new MigrationJob(this, 'migrate', {
        ...common,
        env: { LOG_LEVEL: v.logLevel, NODE_OPTIONS: v.nodeOptions, OTEL_SDK_DISABLED: 'true' },
        backoffLimit: v.migration.backoffLimit,
        activeDeadlineSeconds: v.migration.activeDeadlineSeconds,
        resources: v.migration.resources,
      });
    }

    if (v.ingress.enabled) {
      new CatcastIngress(this, 'ingress', {
        release,
        version,
        className: v.ingress.className,
        host: v.ingress.host,
        tlsSecretName: v.ingress.tlsSecretName,
        annotations: v.ingress.annotations,
        routes: [
          { paths: ['/ui', '/forecast'], serviceName: forecastApi.app.name, servicePort: FORECAST_API_PORT },
          { paths: ['/api'], serviceName: aggregatorApi.app.name, servicePort: AGGREGATOR_PORT },
          { paths: ['/v1'], serviceName: ingest.app.name, servicePort: INGEST_PORT },
        ],
      });
    }

    if (v.networkPolicy.enabled) {
      const n = v.networkPolicy;
      const publicComponents = [
        { component: 'ingest', port: INGEST_PORT },
        { component: 'aggregator-api', port: AGGREGATOR_PORT },
        { component: 'forecast-api', port: FORECAST_API_PORT },
      ];
      new CatcastNetworkPolicies(this, 'network-policies', {
        release,
        version,
        publicComponents,
        // The relay and the consumer have no public route: only Prometheus (/metrics) and in-namespace
        // API clients (helm test's /ready) reach them.
        allComponents: [
          ...publicComponents,
          { component: 'relay', port: RELAY_PORT },
          { component: 'aggregator', port: AGGREGATOR_PORT },
        ],
        ingressControllerNamespaceLabels: n.ingressController.namespaceLabels,
        ingressControllerPodLabels: n.ingressController.podLabels,
        prometheusNamespaceLabels: n.prometheus.namespaceLabels,
        egressPorts: n.egressPorts,
        lagMetrics:
          a.mode === 'adapter' ? { port: LAG_METRICS_PORT, securePort: LAG_METRICS_SECURE_PORT } : undefined,
      });
    }

    const m = v.monitoring;
    new CatcastMonitoring(this, 'monitoring', {
      release,
      version,
      serviceMonitor: m.serviceMonitor.enabled
        ? { interval: m.serviceMonitor.interval, labels: m.serviceMonitor.labels }
        : undefined,
      prometheusRule: m.prometheusRule.enabled
        ? {
            labels: m.prometheusRule.labels,
            thresholds: {
              ingest5xxRatio: m.prometheusRule.ingest5xxRatio,
              readApi5xxRatio: m.prometheusRule.readApi5xxRatio,
              outboxOldestAgeSeconds: m.prometheusRule.outboxOldestAgeSeconds,
              consumerLagThreshold: m.prometheusRule.consumerLagThreshold,
              freshnessSeconds: m.prometheusRule.freshnessSeconds,
              forecastPeriodSeconds: f.periodSeconds,
            },
          }
        : undefined,
    });
  }
}
