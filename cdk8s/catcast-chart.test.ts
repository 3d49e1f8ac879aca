/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any --
   These tests walk synthesized manifests, which are untyped JSON by nature. */
import { Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { CatcastChart } from './catcast-chart.js';
import { synthObjects, type KubeObject } from './synth.js';
import { ManifestValidationError, validateObject, validateObjects } from './validate.js';
import { resolveValues, ValuesError } from './values.js';

type Obj = Record<string, any>;

const defaults = () => synthObjects(resolveValues());
const find = (objs: KubeObject[], kind: string, name: string): Obj => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o)
    throw new Error(`no ${kind}/${name} in ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o;
};
const podSpecOf = (o: Obj): Obj =>
  o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : (o.spec.template.spec as Obj);
const envOf = (c: Obj, name: string): Obj | undefined => (c.env as Obj[]).find((e) => e.name === name);

/** Long-running components: name, port, binary the entrypoint runs. */
const SERVERS: [string, number, string][] = [
  ['ingest', 8081, 'ingest'],
  ['aggregator', 8082, 'aggregator'],
  ['aggregator-api', 8082, 'aggregator'],
  ['relay', 8083, 'relay'],
  ['forecast-api', 8090, 'forecast-api'],
];

describe('CatcastChart', () => {
  it('synthesizes the default release (snapshot)', () => {
    const chart = new CatcastChart(Testing.app(), 'catcast', { values: resolveValues() });
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  it.each([
    ['defaults', {}],
    ['hpa lag scaling', { aggregator: { autoscaling: { mode: 'hpa' } } }],
    [
      'monitoring, TLS, fixed replicas',
      {
        monitoring: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } },
        ingress: { host: 'a.example', tlsSecretName: 'tls' },
        aggregator: { autoscaling: { mode: 'none' } },
        ingest: { autoscaling: { enabled: false } },
      },
    ],
  ])(
    'emits only schema-valid objects (kubernetes-models, KEDA and Prometheus Operator CRDs): %s',
    (_n, overlay) => {
      const objs = synthObjects(resolveValues(overlay));
      expect(objs.length).toBeGreaterThan(20);
      expect(() => validateObjects(objs)).not.toThrow();
    },
  );

  it.each(SERVERS)(
    '%s: probes /ready and /health on its port %i, Service on the same port, runs binary %s',
    (component, port, binary) => {
      const objs = defaults();
      const d = find(objs, 'Deployment', `catcast-${component}`);
      const c = podSpecOf(d).containers[0] as Obj;
      expect(c.args).toEqual([binary]);
      expect(c.ports).toEqual([{ containerPort: port, name: 'http' }]);
      expect(c.readinessProbe.httpGet).toMatchObject({ path: '/ready', port });
      expect(c.livenessProbe.httpGet).toMatchObject({ path: '/health', port });
      expect(c.startupProbe.httpGet).toMatchObject({ path: '/health', port });
      expect(envOf(c, 'PORT')).toEqual({ name: 'PORT', value: String(port) });
      const svc = find(objs, 'Service', `catcast-${component}`);
      expect(svc.spec.ports).toEqual([{ name: 'http', port, protocol: 'TCP', targetPort: 'http' }]);
      expect(svc.spec.selector).toEqual(d.spec.selector.matchLabels);
      const pdb = find(objs, 'PodDisruptionBudget', `catcast-${component}`);
      expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: d.spec.selector });
    },
  );

  it('runs every pod (Deployments, CronJob, migration Job) under the restricted profile', () => {
    const workloads = defaults().filter((o) => ['Deployment', 'CronJob', 'Job'].includes(o.kind));
    expect(workloads).toHaveLength(7);
    for (const w of workloads) {
      const spec = podSpecOf(w);
      expect(spec.securityContext, w.metadata.name).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 10001,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const c of spec.containers as Obj[]) {
        expect(c.securityContext, w.metadata.name).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.volumeMounts).toContainEqual({ mountPath: '/tmp', name: 'tmp' });
        expect(c.resources.requests).toBeDefined();
        expect(c.resources.limits).toBeDefined();
      }
      expect(spec.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
    }
  });

  it('drains before SIGTERM: preStop sleep shorter than the grace period, surge-only rollouts, spread', () => {
    for (const [component] of SERVERS) {
      const d = find(defaults(), 'Deployment', `catcast-${component}`);
      const spec = podSpecOf(d);
      expect(spec.terminationGracePeriodSeconds).toBe(30);
      expect(spec.containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
      expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
      expect(spec.topologySpreadConstraints.map((t: Obj) => t.topologyKey)).toEqual([
        'topology.kubernetes.io/zone',
        'kubernetes.io/hostname',
      ]);
      expect(spec.automountServiceAccountToken).toBe(false);
    }
  });

  it('reads config from the ConfigMap and secrets only through secretKeyRef (never inline, no Secret objects)', () => {
    const objs = defaults();
    expect(objs.filter((o) => o.kind === 'Secret')).toEqual([]);
    const cm = find(objs, 'ConfigMap', 'catcast-config');
    expect(cm.data).toMatchObject({
      KAFKA_TOPIC: 'order-events',
      KAFKA_TOPIC_PARTITIONS: '6',
      AUTH_MODE: 'jwt',
      SHUTDOWN_TIMEOUT_SECONDS: '20', // 30 s grace - 5 s preStop - 5 s margin
    });
    expect(cm.data).not.toHaveProperty('AUTH_JWKS_URL'); // empty values are unset, not ""
    expect(JSON.stringify(objs)).not.toMatch(/postgres(ql)?:\/\//);
    for (const [component] of SERVERS) {
      const c = podSpecOf(find(objs, 'Deployment', `catcast-${component}`)).containers[0] as Obj;
      expect(c.envFrom).toEqual([{ configMapRef: { name: 'catcast-config' } }]);
      expect(envOf(c, 'DATABASE_URL')).toEqual({
        name: 'DATABASE_URL',
        valueFrom: { secretKeyRef: { name: 'catcast-db', key: 'url', optional: false } },
      });
      expect(envOf(c, 'DATABASE_READ_URL')?.valueFrom.secretKeyRef.optional).toBe(true);
    }
  });

  it('scales the aggregator with a KEDA kafka trigger on its consumer group and topic', () => {
    const objs = defaults();
    const so = find(objs, 'ScaledObject', 'catcast-aggregator');
    expect(so.spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'catcast-aggregator' },
      minReplicaCount: 1,
      maxReplicaCount: 6,
    });
    expect(so.spec.triggers).toEqual([
      {
        type: 'kafka',
        metadata: expect.objectContaining({
          bootstrapServers: 'kafka:9092',
          consumerGroup: 'catcast-aggregator',
          topic: 'order-events',
          lagThreshold: '1000',
        }) as unknown,
      },
    ]);
    expect(find(objs, 'Deployment', 'catcast-aggregator').spec).not.toHaveProperty('replicas');
    expect(
      objs.some((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'catcast-aggregator'),
    ).toBe(false);
  });

  it('splits the aggregator: a lag-scaled consumer (AGGREGATOR_ROLE=consumer) and a CPU-scaled read API (AGGREGATOR_ROLE=api)', () => {
    const objs = defaults();
    const consumer = podSpecOf(find(objs, 'Deployment', 'catcast-aggregator')).containers[0] as Obj;
    const api = podSpecOf(find(objs, 'Deployment', 'catcast-aggregator-api')).containers[0] as Obj;
    expect(envOf(consumer, 'AGGREGATOR_ROLE')?.value).toBe('consumer');
    expect(envOf(api, 'AGGREGATOR_ROLE')?.value).toBe('api');
    expect(envOf(api, 'OTEL_SERVICE_NAME')?.value).toBe('catcast-aggregator-api');
    // Token keys go only where tokens are verified: the consumer mounts no auth Secret key.
    expect(envOf(api, 'AUTH_HS256_SECRET')?.valueFrom.secretKeyRef.name).toBe('catcast-auth');
    const consumerEnv = (consumer.env as Obj[]).map((e) => e.name as string);
    expect(consumerEnv.filter((n) => n.startsWith('AUTH_'))).toEqual([]);
    expect(consumerEnv).toContain('DATABASE_URL');
    // Only the consumer is scaled on lag; the API has its own CPU HPA, PDB and resources.
    expect(find(objs, 'ScaledObject', 'catcast-aggregator').spec.scaleTargetRef.name).toBe(
      'catcast-aggregator',
    );
    expect(objs.filter((o) => o.kind === 'ScaledObject')).toHaveLength(1);
    const hpa = find(objs, 'HorizontalPodAutoscaler', 'catcast-aggregator-api');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: 'catcast-aggregator-api' },
      minReplicas: 2,
      maxReplicas: 6,
    });
    expect(find(objs, 'PodDisruptionBudget', 'catcast-aggregator-api').spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'catcast',
      'app.kubernetes.io/instance': 'catcast',
      'app.kubernetes.io/component': 'aggregator-api',
    });
    // The consumer's Service stays (metrics scraping, /health); the two Services select disjoint pods.
    expect(find(objs, 'Service', 'catcast-aggregator').spec.selector['app.kubernetes.io/component']).toBe(
      'aggregator',
    );
    expect(find(objs, 'Service', 'catcast-aggregator-api').spec.selector['app.kubernetes.io/component']).toBe(
      'aggregator-api',
    );

    const fixed = synthObjects(
      resolveValues({
        aggregatorApi: {
          autoscaling: { enabled: false },
          replicas: 3,
          resources: { requests: { cpu: '300m' }, limits: { memory: '320Mi' } },
          pdb: { maxUnavailable: 2 },
        },
      }),
    );
    const d = find(fixed, 'Deployment', 'catcast-aggregator-api');
    expect(d.spec.replicas).toBe(3);
    // Helm merges maps key by key: the overrides replace only the keys they name.
    expect(podSpecOf(d).containers[0].resources).toEqual({
      requests: { cpu: '300m', memory: '192Mi', 'ephemeral-storage': '128Mi' },
      limits: { cpu: '1', memory: '320Mi', 'ephemeral-storage': '256Mi' },
    });
    expect(find(fixed, 'PodDisruptionBudget', 'catcast-aggregator-api').spec.maxUnavailable).toBe(2);
    expect(
      fixed.some((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'catcast-aggregator-api'),
    ).toBe(false);
  });

  it('offers a plain autoscaling/v2 HPA on the External lag metric instead of KEDA', () => {
    const objs = synthObjects(
      resolveValues({ aggregator: { autoscaling: { mode: 'hpa', lagThreshold: 500 } } }),
    );
    expect(objs.some((o) => o.kind === 'ScaledObject')).toBe(false);
    const hpa = find(objs, 'HorizontalPodAutoscaler', 'catcast-aggregator');
    expect(hpa.spec.metrics).toEqual([
      {
        type: 'External',
        external: {
          metric: {
            name: 'catcast_consumer_lag',
            selector: { matchLabels: { consumer_group: 'catcast-aggregator', topic: 'order-events' } },
          },
          target: { type: 'AverageValue', averageValue: '500' },
        },
      },
    ]);
  });

  it('deploys its own external metrics provider, registered for the External metric the lag HPA reads', () => {
    const objs = synthObjects(
      resolveValues({ aggregator: { autoscaling: { mode: 'adapter', cooldownPeriodSeconds: 20 } } }),
      'shop',
      undefined,
      'team-a',
    );
    expect(objs.some((o) => o.kind === 'ScaledObject')).toBe(false);
    const hpa = find(objs, 'HorizontalPodAutoscaler', 'shop-aggregator');
    expect(hpa.spec.metrics[0].external.metric).toEqual({
      name: 'catcast_consumer_lag',
      selector: { matchLabels: { consumer_group: 'catcast-aggregator', topic: 'order-events' } },
    });
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(20);

    const api = find(objs, 'APIService', 'v1beta1.external.metrics.k8s.io');
    expect(api.spec).toMatchObject({
      group: 'external.metrics.k8s.io',
      version: 'v1beta1',
      service: { name: 'shop-lag-metrics', namespace: 'team-a', port: 443 },
    });
    const svc = find(objs, 'Service', 'shop-lag-metrics');
    expect(svc.spec.ports).toContainEqual(
      expect.objectContaining({ name: 'https', port: 443, targetPort: 'https' }),
    );
    const dep = find(objs, 'Deployment', 'shop-lag-metrics');
    const pod = podSpecOf(dep);
    const c = pod.containers[0];
    expect(c.args).toEqual(['lag-metrics']);
    expect(c.ports).toContainEqual({ containerPort: 6443, name: 'https' });
    expect(envOf(c, 'SECURE_PORT')?.value).toBe('6443');
    expect(envOf(c, 'LAG_METRIC_NAME')?.value).toBe('catcast_consumer_lag');
    // It calls the API server (ConfigMap, SubjectAccessReviews): its own account, token mounted.
    expect(pod.serviceAccountName).toBe('shop-lag-metrics');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(dep.spec.replicas).toBe(2);
    // No other Deployment gets a token.
    for (const d of objs.filter((o) => o.kind === 'Deployment' && o.metadata.name !== 'shop-lag-metrics')) {
      expect(podSpecOf(d).automountServiceAccountToken).toBe(false);
    }

    const subject = { kind: 'ServiceAccount', name: 'shop-lag-metrics', namespace: 'team-a' };
    const delegator = find(objs, 'ClusterRoleBinding', 'shop-lag-metrics-auth-delegator');
    expect(delegator.roleRef.name).toBe('system:auth-delegator');
    expect(delegator.subjects).toEqual([subject]);
    const reader = find(objs, 'RoleBinding', 'shop-lag-metrics-auth-reader');
    expect(reader.metadata.namespace).toBe('kube-system');
    expect(reader.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'extension-apiserver-authentication-reader',
    });
    expect(reader.subjects).toEqual([subject]);
    expect(() => validateObjects(objs)).not.toThrow();

    // kube-apiserver reaches the secure port, Prometheus the http port; it reaches the API server.
    const policy = (n: string) => find(objs, 'NetworkPolicy', `shop-${n}`).spec;
    expect(policy('allow-apiserver-to-lag-metrics').ingress).toEqual([
      { ports: [{ protocol: 'TCP', port: 6443 }] },
    ]);
    expect(policy('allow-prometheus-to-lag-metrics').ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 8084 },
    ]);
    expect(policy('allow-egress-apiserver-lag-metrics').egress[0].ports).toEqual([
      { protocol: 'TCP', port: 443 },
      { protocol: 'TCP', port: 6443 },
    ]);
  });

  it.each(['keda', 'hpa', 'none'] as const)('deploys no provider or APIService in mode %s', (mode) => {
    const objs = synthObjects(resolveValues({ aggregator: { autoscaling: { mode } } }));
    expect(objs.filter((o) => o.metadata.name.includes('lag-metrics') || o.kind === 'APIService')).toEqual(
      [],
    );
  });

  it('scales ingest, aggregator-api and forecast-api on CPU and keeps relay at a fixed, bounded count', () => {
    const objs = defaults();
    for (const c of ['ingest', 'aggregator-api', 'forecast-api']) {
      const hpa = find(objs, 'HorizontalPodAutoscaler', `catcast-${c}`);
      expect(hpa.spec.metrics[0].resource).toEqual({
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: 70 },
      });
      expect(find(objs, 'Deployment', `catcast-${c}`).spec).not.toHaveProperty('replicas');
    }
    expect(find(objs, 'Deployment', 'catcast-relay').spec.replicas).toBe(2);
  });

  it.each([1, 3, 8])('runs %i forecast shards as one Indexed Job with a lease per shard', (shards) => {
    const objs = synthObjects(resolveValues({ forecastJob: { shardCount: shards } }));
    const cron = find(objs, 'CronJob', 'catcast-forecast-job');
    expect(cron.spec).toMatchObject({ concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 300 });
    const job = cron.spec.jobTemplate.spec;
    expect(job).toMatchObject({
      completionMode: 'Indexed',
      completions: shards,
      parallelism: shards,
      backoffLimit: 2,
      activeDeadlineSeconds: 1800,
    });
    const pod = job.template.spec;
    expect(pod).toMatchObject({
      serviceAccountName: 'catcast-forecast-job',
      automountServiceAccountToken: true,
      restartPolicy: 'Never',
    });
    const c = pod.containers[0] as Obj;
    expect(envOf(c, 'SHARD_COUNT')?.value).toBe(String(shards));
    expect(envOf(c, 'SHARD_INDEX')?.valueFrom.fieldRef.fieldPath).toBe(
      "metadata.annotations['batch.kubernetes.io/job-completion-index']",
    );
    expect(find(objs, 'ServiceAccount', 'catcast-forecast-job').automountServiceAccountToken).toBe(true);
    const role = find(objs, 'Role', 'catcast-forecast-job');
    expect(role.rules).toEqual([
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'list', 'watch', 'create'],
      },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: Array.from({ length: shards }, (_, i) => `catcast-forecast-shard-${i}`),
        verbs: ['update', 'patch'],
      },
    ]);
    const rb = find(objs, 'RoleBinding', 'catcast-forecast-job');
    expect(rb.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'catcast-forecast-job',
    });
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'catcast-forecast-job' }]);
  });

  it('runs migrations as a pre-install/pre-upgrade hook that needs no ConfigMap', () => {
    const job = find(defaults(), 'Job', 'catcast-migrate');
    expect(job.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const c = podSpecOf(job).containers[0] as Obj;
    expect(c.args).toEqual(['migrate']);
    expect(c.envFrom).toBeUndefined();
    expect(envOf(c, 'DATABASE_URL')?.valueFrom.secretKeyRef.name).toBe('catcast-db');
  });

  it('routes /ui and /forecast to forecast-api, /api to aggregator-api, /v1 to ingest', () => {
    const ing = find(
      synthObjects(resolveValues({ ingress: { host: 'x.example', tlsSecretName: 'x-tls' } })),
      'Ingress',
      'catcast',
    );
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(ing.spec.tls).toEqual([{ hosts: ['x.example'], secretName: 'x-tls' }]);
    const routes = (ing.spec.rules[0].http.paths as Obj[]).map((p) => [
      p.path,
      p.backend.service.name,
      p.backend.service.port.number,
    ]);
    expect(routes).toEqual([
      ['/ui', 'catcast-forecast-api', 8090],
      ['/forecast', 'catcast-forecast-api', 8090],
      ['/api', 'catcast-aggregator-api', 8082],
      ['/v1', 'catcast-ingest', 8081],
    ]);
    expect(find(defaults(), 'Ingress', 'catcast').spec.tls).toBeUndefined();
  });

  it('denies all traffic of the release by default and opens only the needed flows', () => {
    const objs = defaults().filter((o) => o.kind === 'NetworkPolicy') as Obj[];
    const deny = objs.find((o) => o.metadata.name === 'catcast-default-deny');
    expect(deny?.spec).toEqual({
      podSelector: {
        matchLabels: { 'app.kubernetes.io/name': 'catcast', 'app.kubernetes.io/instance': 'catcast' },
      },
      policyTypes: ['Ingress', 'Egress'],
    });
    const fromController = objs.find((o) => o.metadata.name === 'catcast-allow-ingress-controller-to-ingest');
    expect(fromController?.spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
          },
        ],
        ports: [{ port: 8081, protocol: 'TCP' }],
      },
    ]);
    // relay and the aggregator's consumer have no public route: nothing lets the ingress controller
    // reach them; Prometheus and in-namespace API clients (helm test) still reach their port.
    for (const c of ['relay', 'aggregator']) {
      expect(objs.some((o) => o.metadata.name === `catcast-allow-ingress-controller-to-${c}`)).toBe(false);
      expect(
        objs.find((o) => o.metadata.name === `catcast-allow-clients-to-${c}`)?.spec.podSelector.matchLabels[
          'app.kubernetes.io/component'
        ],
      ).toBe(c);
    }
    const toApi = objs.find((o) => o.metadata.name === 'catcast-allow-ingress-controller-to-aggregator-api');
    expect(toApi?.spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe('aggregator-api');
    expect(toApi?.spec.ingress[0].ports).toEqual([{ port: 8082, protocol: 'TCP' }]);
    // API clients may call every component's port, each listed once (both aggregator roles use 8082).
    const clients = objs.find((o) => o.metadata.name === 'catcast-allow-egress-api-clients');
    expect(clients?.spec.egress[0].ports.map((p: Obj) => p.port)).toEqual([8081, 8082, 8090, 8083]);
    const egress = objs.find((o) => o.metadata.name === 'catcast-allow-egress-dependencies');
    // Postgres, Kafka, OTLP, and the OpenID provider (https) the token-verifying services call.
    expect(egress?.spec.egress[1].ports.map((p: Obj) => p.port)).toEqual([5432, 9092, 4317, 4318, 443]);
    const api = objs.find((o) => o.metadata.name === 'catcast-allow-egress-apiserver');
    expect(api?.spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe('forecast-job');
  });

  it('emits the ServiceMonitor and the PrometheusRule with every alert when enabled', () => {
    const objs = synthObjects(
      resolveValues({ monitoring: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } } }),
    );
    const sm = find(objs, 'ServiceMonitor', 'catcast');
    expect(sm.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
    const rules = find(objs, 'PrometheusRule', 'catcast-alerts').spec.groups[0].rules as Obj[];
    const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
    expect(Object.keys(byName).sort()).toEqual([
      'CatcastAggregationStale',
      'CatcastConsumerLagHigh',
      'CatcastDlqNotEmpty',
      'CatcastForecastStale',
      'CatcastIngest5xxRate',
      'CatcastOutboxBacklogUnknown',
      'CatcastOutboxStale',
      'CatcastReadApi5xxRate',
      'CatcastShardWithoutLeader',
    ]);
    // What each alert does is evaluated by promtool in make test-alerts (test/alerts/); these only pin
    // that the values reach the expressions.
    expect(byName.CatcastOutboxStale?.expr).toBe(
      'max(catcast_outbox_oldest_age_seconds{service=~"catcast-(ingest|relay)"}) > 300',
    );
    expect(byName.CatcastConsumerLagHigh).toMatchObject({
      expr: 'max(catcast_consumer_lag{service=~"catcast-(aggregator|relay)",partition="total"}) > 10000',
      for: '10m',
    });
    expect(byName.CatcastAggregationStale?.expr).toContain('> 300 and max(catcast_consumer_lag{');
    expect(byName.CatcastForecastStale?.expr).toContain(
      'catcast_forecast_pending_since_timestamp_seconds{service="catcast-forecast-api"}) > 7200',
    );
    expect(byName.CatcastShardWithoutLeader?.expr).toContain('catcast_forecast_shard_leader_present');
    expect(byName.CatcastIngest5xxRate?.expr).toContain('service="catcast-ingest",status=~"5.."');
    // Read errors are the read API's (and forecast-api's), per service; never the consumer's.
    expect(byName.CatcastReadApi5xxRate?.expr).toContain(
      'sum by (service) (rate(catcast_http_request_duration_seconds_count{service=~"catcast-(aggregator-api|forecast-api)",status=~"5.."}[5m]))',
    );
    expect(byName.CatcastReadApi5xxRate?.expr).toMatch(/\) > 0\.05$/);
    expect(defaults().some((o) => o.kind === 'ServiceMonitor' || o.kind === 'PrometheusRule')).toBe(false);
  });

  it.each([
    [
      'maxReplicas above partitions',
      { aggregator: { autoscaling: { maxReplicas: 8 } } },
      /maxReplicas \(8\) must be <= the topic's partitions \(6\)/,
    ],
    [
      'minReplicas above maxReplicas',
      { aggregator: { autoscaling: { minReplicas: 4, maxReplicas: 3 } } },
      /maxReplicas \(3\) must be >= minReplicas \(4\)/,
    ],
    [
      'preStop not shorter than grace',
      { pod: { preStopSleepSeconds: 30 } },
      /preStopSleepSeconds \(30\) must be less than terminationGracePeriodSeconds \(30\)/,
    ],
    [
      'relay above its bound',
      { relay: { replicas: 4 } },
      /relay: replicas must be in 1\.\.maxReplicas \(3\), got 4/,
    ],
    [
      'job deadline beyond the period',
      { forecastJob: { activeDeadlineSeconds: 4000 } },
      /activeDeadlineSeconds \(4000\) must not exceed periodSeconds \(3600\)/,
    ],
    [
      'HPA min above max',
      { ingest: { autoscaling: { minReplicas: 5, maxReplicas: 2 } } },
      /ingest: autoscaling needs 1 <= minReplicas <= maxReplicas, got minReplicas=5 maxReplicas=2/,
    ],
  ])('rejects %s in the constructor, naming the values', (_n, overlay, message) => {
    expect(() => synthObjects(resolveValues(overlay))).toThrow(message);
  });

  it.each([
    ['shardCount 0', { forecastJob: { shardCount: 0 } }],
    ['shardCount 65', { forecastJob: { shardCount: 65 } }],
    ['an unknown key', { ingest: { replica: 2 } }],
    [
      'an aggregator-api HPA target above 100',
      { aggregatorApi: { autoscaling: { targetCPUUtilizationPercentage: 101 } } },
    ],
    ['a string replica count', { relay: { replicas: '2' } }],
  ])('rejects %s through the values schema', (_n, overlay) => {
    expect(() => resolveValues(overlay)).toThrow(ValuesError);
  });

  it('rejects an invalid release name', () => {
    expect(() => synthObjects(resolveValues(), 'Bad_Name')).toThrow(/release 'Bad_Name' must be a DNS label/);
  });
});

describe('validateObject', () => {
  it.each([
    [
      'a string containerPort',
      'apps/v1',
      'Deployment',
      {
        spec: {
          selector: {},
          template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 'http' }] }] } },
        },
      },
    ],
    [
      'a numeric KEDA trigger field',
      'keda.sh/v1alpha1',
      'ScaledObject',
      {
        spec: { scaleTargetRef: { name: 'a' }, triggers: [{ type: 'kafka', metadata: { lagThreshold: 5 } }] },
      },
    ],
    [
      'a ScaledObject without triggers',
      'keda.sh/v1alpha1',
      'ScaledObject',
      { spec: { scaleTargetRef: { name: 'a' } } },
    ],
    ['an unregistered kind', 'v1', 'Endpoints', {}],
  ])('fails on %s', (_n, apiVersion, kind, rest) => {
    expect(() => validateObject({ apiVersion, kind, metadata: { name: 'x' }, ...rest })).toThrow(
      ManifestValidationError,
    );
  });
});
