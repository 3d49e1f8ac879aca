// The Helm chart against the cdk8s constructs, with a real helm binary (scripts/tools.sh helm):
// generated templates are current, lint passes, and for several values files `helm template`
// renders exactly the objects `cdk8s synth` produces from the same values.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { staleTemplates } from './helm/generate.js';
import { synthObjects } from './synth.js';
import {
  configChecksums,
  KUBE_VERSION,
  helmBinary,
  helmTemplate,
  normalize,
  objectKey,
  runHelm,
  valuesFile,
} from './test-helpers.js';
import { validateObjects } from './validate.js';
import { readValuesFile, resolveValues } from './values.js';

let helm = '';

beforeAll(() => {
  helm = helmBinary();
}, 900_000);

/** Values overlays that between them switch every knob of values.yaml at least once. */
const OVERLAYS: [string, string, Record<string, unknown>][] = [
  ['defaults', 'catcast', {}],
  [
    'hpa lag scaling, fixed ingest, other release name',
    'shop',
    {
      aggregator: { autoscaling: { mode: 'hpa', minReplicas: 2, maxReplicas: 4, lagThreshold: 250 } },
      ingest: { autoscaling: { enabled: false }, replicas: 3 },
      aggregatorApi: { autoscaling: { enabled: false }, replicas: 3, pdb: { maxUnavailable: 0 } },
      kafka: { partitions: 12, brokers: 'k1:9092,k2:9092', topic: 'orders', consumerGroup: 'agg' },
    },
  ],
  [
    'everything non-default',
    'catcast',
    {
      image: { repository: 'registry.example/catcast', tag: '1.2.3', pullPolicy: 'Always' },
      imagePullSecrets: ['regcred', 'other'],
      nodeOptions: '',
      logLevel: 'debug',
      environment: 'staging',
      database: { secretName: 'pg', urlKey: 'DATABASE_URL', readUrlKey: 'DATABASE_READ_URL', poolMax: 25 },
      auth: {
        mode: 'none',
        jwksUrl: 'https://idp.example/jwks',
        secretName: 'auth',
        hs256SecretKey: 'h',
        publicKeyKey: 'p',
        issuer: 'https://idp.example/',
        audience: 'catcast',
        merchantsClaim: 'https://catcast.example/merchants',
        groupsClaim: 'roles',
        groupMerchants: '{"acme-staff":["acme"]}',
        defaultScopes: 'sales:read forecasts:read',
        sessionSecretKey: 's',
        uiClientId: 'catcast-ui',
        uiClientSecretKey: 'c',
        uiPublicUrl: 'https://catcast.example/ui',
      },
      otel: {
        endpoint: 'http://otel-collector:4318',
        protocol: 'grpc',
        tracesSampler: 'always_on',
        tracesSamplerArg: '',
      },
      pod: {
        terminationGracePeriodSeconds: 45,
        preStopSleepSeconds: 10,
        topologySpread: {
          maxSkew: 2,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'DoNotSchedule',
        },
      },
      ingest: {
        resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } },
        pdb: { maxUnavailable: 2 },
      },
      forecastApi: { autoscaling: { minReplicas: 3, maxReplicas: 9, targetCPUUtilizationPercentage: 55 } },
      relay: { replicas: 3, maxReplicas: 4 },
      aggregator: { autoscaling: { mode: 'none' }, replicas: 4 },
      aggregatorApi: {
        autoscaling: { minReplicas: 3, maxReplicas: 8, targetCPUUtilizationPercentage: 60 },
        resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '512Mi' } },
        pdb: { maxUnavailable: 2 },
      },
      forecastJob: {
        schedule: '*/30 * * * *',
        periodSeconds: 1800,
        shardCount: 5,
        startingDeadlineSeconds: 120,
        backoffLimit: 1,
        activeDeadlineSeconds: 1500,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 5,
        leaseStore: 'postgres',
      },
      migration: { backoffLimit: 0, activeDeadlineSeconds: 900 },
      ingress: {
        className: 'traefik',
        host: 'shop.example',
        tlsSecretName: 'shop-tls',
        annotations: { a: 'b' },
      },
      networkPolicy: {
        ingressController: { namespaceLabels: { team: 'edge' }, podLabels: { app: 'traefik' } },
        prometheus: { namespaceLabels: { team: 'obs' } },
        egressPorts: {
          dns: [53, 5353],
          postgres: [6432],
          kafka: [9092, 9093],
          otel: [4317],
          identityProvider: [8443],
          apiServer: [443],
        },
      },
      monitoring: {
        serviceMonitor: { enabled: true, interval: '15s', labels: { release: 'kps' } },
        prometheusRule: {
          enabled: true,
          labels: { release: 'kps' },
          ingest5xxRatio: 0.01,
          readApi5xxRatio: 0.02,
          outboxOldestAgeSeconds: 120,
          consumerLagThreshold: 5000,
          freshnessSeconds: 600,
        },
      },
    },
  ],
  [
    'optional objects off, TLS without host',
    'catcast',
    {
      migration: { enabled: false },
      networkPolicy: { enabled: false },
      ingress: { tlsSecretName: 'wildcard' },
      forecastApi: { autoscaling: { enabled: false } },
    },
  ],
  ['ingress off', 'catcast', { ingress: { enabled: false } }],
  [
    "lag autoscaling by catcast's own external metrics provider",
    'shop',
    {
      kafka: { topic: 'orders', consumerGroup: 'shop-agg' },
      aggregator: {
        autoscaling: {
          mode: 'adapter',
          externalMetricName: 'shop_lag',
          adapter: { replicas: 3, resources: { requests: { cpu: '10m' } } },
        },
      },
      networkPolicy: { prometheus: { namespaceLabels: { team: 'obs' } }, egressPorts: { apiServer: [6443] } },
    },
  ],
  [
    'charts/catcast/examples/production.yaml',
    'catcast',
    readValuesFile('charts/catcast/examples/production.yaml') as Record<string, unknown>,
  ],
  [
    'scripts/k8s/values-kind.yaml',
    'catcast',
    readValuesFile('scripts/k8s/values-kind.yaml') as Record<string, unknown>,
  ],
];

describe('charts/catcast', () => {
  it('has templates generated from the current constructs (make chart)', async () => {
    expect(await staleTemplates()).toEqual([]);
  });

  it('passes helm lint --strict', () => {
    const res = runHelm(helm, ['lint', '--strict', '--kube-version', KUBE_VERSION, 'charts/catcast']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it.each(OVERLAYS)('renders the same objects as cdk8s synth: %s', (_name, release, overlay) => {
    const rendered = helmTemplate(helm, release, overlay);
    const hooksForTests = rendered.filter(
      (o) =>
        (o.metadata as { annotations?: Record<string, string> }).annotations?.['helm.sh/hook'] === 'test',
    );
    expect(hooksForTests.map(objectKey)).toEqual([`Pod/${release}-test-ready`]);
    const chartObjects = rendered.filter((o) => !hooksForTests.includes(o));
    const synthesized = synthObjects(resolveValues(overlay), release);
    expect(normalize(chartObjects)).toEqual(normalize(synthesized));
    validateObjects(rendered);
  });

  it.each([
    ['an unknown top-level key', { replicaCount: 3 }, 'replicaCount'],
    ['an unknown nested key', { ingest: { autoscaling: { targetMemory: 80 } } }, 'targetMemory'],
    ['a string where a number belongs', { forecastJob: { shardCount: 'four' } }, 'shardCount'],
    ['a value outside its enum', { aggregator: { autoscaling: { mode: 'vpa' } } }, 'mode'],
  ])('refuses %s through values.schema.json', (_name, overlay, mentioned) => {
    const res = runHelm(helm, [
      'template',
      'catcast',
      'charts/catcast',
      '--kube-version',
      KUBE_VERSION,
      '-f',
      valuesFile(overlay),
    ]);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain(mentioned);
    expect(() => resolveValues(overlay)).toThrow(/values\.schema\.json/);
  });

  it('rolls the Deployments when, and only when, the ConfigMap changes (checksum/config)', () => {
    const sums = (overlay: Record<string, unknown>) =>
      configChecksums(helmTemplate(helm, 'catcast', overlay));
    const base = sums({});
    expect(Object.keys(base).sort()).toEqual([
      'Deployment/catcast-aggregator',
      'Deployment/catcast-aggregator-api',
      'Deployment/catcast-forecast-api',
      'Deployment/catcast-ingest',
      'Deployment/catcast-relay',
    ]);
    const [first] = Object.values(base);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(Object.values(base))).toEqual(new Set([first]));
    // A setting read from the ConfigMap changes every pod template; a replica count changes none.
    expect(new Set(Object.values(sums({ logLevel: 'debug' })))).not.toContain(first);
    expect(sums({ ingest: { autoscaling: { enabled: false }, replicas: 3 } })).toEqual(base);
    // cdk8s synth (kind-up's manifests) does the same from the ConfigMap's data.
    const synthSum = (overlay: Record<string, unknown>) =>
      Object.values(configChecksums(synthObjects(resolveValues(overlay)) as Record<string, unknown>[]))[0];
    expect(synthSum({ logLevel: 'debug' })).not.toBe(synthSum({}));
    expect(synthSum({ ingest: { replicas: 3 } })).toBe(synthSum({}));
  });

  it('refuses values that break a construct invariant (maxReplicas above partitions) in cdk8s', () => {
    expect(() => synthObjects(resolveValues({ aggregator: { autoscaling: { maxReplicas: 7 } } }))).toThrow(
      /maxReplicas \(7\) must be <= the topic's partitions \(6\)/,
    );
  });
});

describe('charts/dev-deps (kind only)', () => {
  it('lints and renders schema-valid Postgres, Kafka (KRaft) and Jaeger objects', () => {
    expect(runHelm(helm, ['lint', '--strict', 'charts/dev-deps']).status).toBe(0);
    const res = runHelm(helm, ['template', 'dev-deps', 'charts/dev-deps']);
    expect(res.status).toBe(0);
    const objs = parseAllDocuments(res.stdout)
      .map((d) => d.toJS() as Record<string, unknown> | null)
      .filter((d): d is Record<string, unknown> => d !== null);
    expect(objs.map(objectKey).sort()).toEqual([
      'Deployment/jaeger',
      'Job/kafka-topics',
      'Secret/catcast-db',
      'Service/jaeger',
      'Service/kafka',
      'Service/postgres',
      'StatefulSet/kafka',
      'StatefulSet/postgres',
    ]);
    validateObjects(objs);
    // The Secret it creates is the one catcast's default values reference.
    expect(resolveValues().database.secretName).toBe('catcast-db');
  });
});
