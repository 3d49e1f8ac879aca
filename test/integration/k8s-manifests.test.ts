// The manifests and the chart against a real kube-apiserver (started by global-setup): every object
// cdk8s synthesizes passes a server-side dry-run apply, and `helm install` / `helm upgrade` / `helm
// upgrade` (same values) succeed with the stored objects reflecting the values. There are no
// controllers, so this test plays the Job controller for Helm's migration hook (see docs/kubernetes.md).
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppsV1Api, BatchV1Api, type V1Job } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { synthObjects } from '../../cdk8s/synth.js';
import { readValuesFile, resolveValues } from '../../cdk8s/values.js';
import {
  adminKubeConfig,
  createNamespace,
  helm,
  kubectl,
  kubectlGet,
  kubectlOk,
  runCommand,
  serverVersion,
  type CommandResult,
} from './support/kube.js';

/** Values overlays whose synthesized objects, together, include every kind the constructs emit. */
const OVERLAYS: [string, string, Record<string, unknown>][] = [
  ['defaults', 'catcast', {}],
  [
    'charts/catcast/examples/production.yaml (ServiceMonitor, PrometheusRule, TLS ingress)',
    'catcast',
    readValuesFile('charts/catcast/examples/production.yaml') as Record<string, unknown>,
  ],
  [
    'HPA on the External lag metric, fixed ingest, release "shop"',
    'shop',
    {
      aggregator: { autoscaling: { mode: 'hpa', minReplicas: 2, maxReplicas: 4 } },
      ingest: { autoscaling: { enabled: false }, replicas: 3 },
    },
  ],
  [
    'scripts/k8s/values-kind.yaml',
    'catcast',
    readValuesFile('scripts/k8s/values-kind.yaml') as Record<string, unknown>,
  ],
];

const CRDS = [
  'scaledobjects.keda.sh',
  'servicemonitors.monitoring.coreos.com',
  'prometheusrules.monitoring.coreos.com',
];

beforeAll(async () => {
  // Third-party CRDs the manifests use, unmodified from their Go modules (scripts/k8s/crds.sh).
  const files = await runCommand('bash', ['scripts/k8s/crds.sh']);
  if (files.code !== 0) throw new Error(`scripts/k8s/crds.sh failed: ${files.stderr}`);
  for (const file of files.stdout.trim().split('\n')) await kubectlOk(['apply', '--server-side', '-f', file]);
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', ...CRDS.map((c) => `crd/${c}`)]);
});

/** `kubectl apply --server-side --dry-run=server` of `objects` into `namespace`. */
function dryRunApply(namespace: string, objects: readonly object[]): Promise<CommandResult> {
  return kubectl(
    ['apply', '--server-side', '--dry-run=server', '-n', namespace, '-f', '-'],
    // One document per object: kubectl would validate the items of a `List` client-side first, and
    // the point is what the API server accepts.
    objects.map((o) => stringify(o)).join('---\n'),
  );
}

describe('cdk8s synth output, server-side dry-run apply', () => {
  it.each(OVERLAYS)('accepts every object: %s', async (_name, release, overlay) => {
    const objects = synthObjects(resolveValues(overlay), release);
    const namespace = await createNamespace('synth');
    const r = await dryRunApply(namespace, objects);
    expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('Warning:'))).toEqual([]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(objects.length);
    for (const line of lines) expect(line).toMatch(/ serverside-applied \(server dry run\)$/);
    // A dry run stores nothing.
    expect((await kubectlOk(['-n', namespace, 'get', 'deployments,jobs', '-o', 'name'])).trim()).toBe('');
  });

  it('refuses what the schemas forbid (so the acceptance above means something)', async () => {
    const namespace = await createNamespace('synth-bad');
    const objects = synthObjects(resolveValues({}), 'catcast') as unknown as Record<string, never>[];
    const find = (kind: string) => structuredClone(objects.find((o) => o.kind === kind)!) as never;
    const cron: { spec: { jobTemplate: { spec: Record<string, unknown> } } } = find('CronJob');
    cron.spec.jobTemplate.spec.completions = 'two';
    const scaled: { spec: Record<string, unknown> } = find('ScaledObject');
    scaled.spec.maxReplicaCountt = 3; // unknown field of the KEDA CRD's schema
    const deployment: { spec: { template: { spec: { containers: { name?: string }[] } } } } =
      find('Deployment');
    delete deployment.spec.template.spec.containers[0]!.name; // required
    for (const [bad, expected] of [
      [cron, /completions/],
      [scaled, /maxReplicaCountt/],
      [deployment, /spec\.template\.spec\.containers\[0\]\.name: Required value/],
    ] as const) {
      const r = await dryRunApply(namespace, [bad]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(expected);
    }
  });
});

/** What the stand-in Job controller saw when a hook Job appeared. */
interface HookSeen {
  readonly job: string;
  readonly hook: string;
  /** Images of the release's Deployments at that moment (empty before the first install). */
  readonly deploymentImages: string[];
}

/**
 * Runs `helm args` while playing the Job controller, which this control plane lacks: every Helm hook
 * Job that appears is marked Complete (or Failed), as the real controller would once its pod exited.
 */
async function helmWithHookJobs(
  namespace: string,
  args: readonly string[],
  outcome: 'Complete' | 'Failed' = 'Complete',
): Promise<{ result: CommandResult; hooks: HookSeen[] }> {
  const kc = adminKubeConfig();
  const batch = kc.makeApiClient(BatchV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const hooks: HookSeen[] = [];
  const done = new AbortController();
  const controller = (async () => {
    while (!done.signal.aborted) {
      const jobs = await batch.listNamespacedJob({ namespace });
      for (const job of jobs.items) {
        const hook = job.metadata?.annotations?.['helm.sh/hook'];
        if (!hook || (job.status?.conditions ?? []).length > 0) continue;
        const deployments = await apps.listNamespacedDeployment({ namespace });
        hooks.push({
          job: job.metadata!.name!,
          hook,
          deploymentImages: deployments.items.map((d) => d.spec!.template.spec!.containers[0]!.image!),
        });
        await batch.replaceNamespacedJobStatus({
          name: job.metadata!.name!,
          namespace,
          body: finished(job, outcome),
        });
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  })();
  try {
    const result = await helm(args);
    return { result, hooks };
  } finally {
    done.abort();
    await controller;
  }
}

/** The status the Job controller writes when a Job's single pod succeeded or it gave up. */
function finished(job: V1Job, outcome: 'Complete' | 'Failed'): V1Job {
  const now = new Date();
  const condition = (type: string, reason?: string) => ({
    type,
    status: 'True',
    lastProbeTime: now,
    lastTransitionTime: now,
    ...(reason ? { reason, message: reason } : {}),
  });
  // Since 1.31 the API server requires the terminal condition to follow its "target" condition.
  return {
    ...job,
    status:
      outcome === 'Complete'
        ? {
            startTime: now,
            completionTime: now,
            succeeded: 1,
            conditions: [condition('SuccessCriteriaMet'), condition('Complete')],
          }
        : {
            startTime: now,
            failed: 1,
            conditions: [
              condition('FailureTarget', 'BackoffLimitExceeded'),
              condition('Failed', 'BackoffLimitExceeded'),
            ],
          },
  };
}

function valuesFile(values: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'catcast-values-')), 'values.yaml');
  writeFileSync(file, stringify(values));
  return file;
}

interface Deployment {
  metadata: { name: string };
  spec: { template: { spec: { containers: { image: string }[] } } };
}
interface CronJob {
  spec: {
    jobTemplate: {
      spec: {
        completions: number;
        parallelism: number;
        template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } };
      };
    };
  };
}
interface Role {
  rules: { resourceNames?: string[] }[];
}

describe('helm install, upgrade, upgrade again (same values)', () => {
  const release = 'catcast';
  let namespace: string;
  const v1 = valuesFile({ image: { tag: '1.0.0' } });
  const v2 = valuesFile({ image: { tag: '1.1.0' }, forecastJob: { shardCount: 4 } });
  const chart = 'charts/catcast';

  beforeAll(async () => {
    namespace = await createNamespace('helm');
  });

  /** Images of the release's Deployments, the CronJob's shard settings and the Role's lease names. */
  async function stored() {
    const deployments = (
      await kubectlGet<{ items: Deployment[] }>(
        namespace,
        'deployments',
        `app.kubernetes.io/instance=${release}`,
      )
    ).items;
    const cron = await kubectlGet<CronJob>(namespace, `cronjob/${release}-forecast-job`);
    const role = await kubectlGet<Role>(namespace, `role/${release}-forecast-job`);
    const job = cron.spec.jobTemplate.spec;
    return {
      images: [...new Set(deployments.map((d) => d.spec.template.spec.containers[0]!.image))],
      deployments: deployments.map((d) => d.metadata.name).sort(),
      completions: job.completions,
      parallelism: job.parallelism,
      shardCountEnv: job.template.spec.containers[0]!.env?.find((e) => e.name === 'SHARD_COUNT')?.value,
      leaseNames: role.rules.flatMap((r) => r.resourceNames ?? []),
    };
  }

  async function revisions(): Promise<{ revision: number; status: string }[]> {
    const r = await helm(['history', release, '-n', namespace, '-o', 'json']);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as { revision: number; status: string }[];
  }

  /** resourceVersion of every object the release owns (changes on any write). */
  async function resourceVersions(): Promise<Record<string, string>> {
    const list = await kubectlGet<{
      items: { kind: string; metadata: { name: string; resourceVersion: string } }[];
    }>(
      namespace,
      'configmaps,services,deployments,cronjobs,serviceaccounts,roles,rolebindings,' +
        'horizontalpodautoscalers,poddisruptionbudgets,networkpolicies,ingresses,scaledobjects.keda.sh',
      `app.kubernetes.io/instance=${release}`,
    );
    return Object.fromEntries(
      list.items.map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.resourceVersion]),
    );
  }

  it('installs: the migration hook Job runs before any Deployment exists', async () => {
    const { result, hooks } = await helmWithHookJobs(namespace, [
      'install',
      release,
      chart,
      '-n',
      namespace,
      '-f',
      v1,
      '--timeout',
      '120s',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(hooks).toEqual([
      { job: `${release}-migrate`, hook: 'pre-install,pre-upgrade', deploymentImages: [] },
    ]);
    expect(await stored()).toEqual({
      images: ['catcast:1.0.0'],
      deployments: ['aggregator', 'aggregator-api', 'forecast-api', 'ingest', 'relay'].map(
        (c) => `${release}-${c}`,
      ),
      completions: 2,
      parallelism: 2,
      shardCountEnv: '2',
      leaseNames: ['catcast-forecast-shard-0', 'catcast-forecast-shard-1'],
    });
    // hook-delete-policy hook-succeeded: helm removed the finished hook Job.
    const job = await kubectl(['-n', namespace, 'get', 'job', `${release}-migrate`]);
    expect(job.stderr).toMatch(/NotFound/);
    expect(await revisions()).toMatchObject([{ revision: 1, status: 'deployed' }]);
  });

  it("validates the chart's `helm test` Pod (a hook install never creates) with a server dry-run", async () => {
    const rendered = await helm([
      'template',
      release,
      chart,
      '-n',
      namespace,
      '-f',
      v1,
      '--kube-version',
      await serverVersion(),
      '--show-only',
      'templates/tests/test-ready.yaml',
    ]);
    expect(rendered.code).toBe(0);
    // A Pod needs its ServiceAccount; the controller that makes "default" does not run here.
    await kubectl(['-n', namespace, 'create', 'serviceaccount', 'default']);
    const r = await kubectl(
      ['apply', '--server-side', '--dry-run=server', '-n', namespace, '-f', '-'],
      rendered.stdout,
    );
    expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('Warning:'))).toEqual([]);
    expect(r.stdout.trim()).toBe(`pod/${release}-test-ready serverside-applied (server dry run)`);
  });

  it('upgrades the image tag and shard count: the hook runs while the old Deployments still serve', async () => {
    const { result, hooks } = await helmWithHookJobs(namespace, [
      'upgrade',
      release,
      chart,
      '-n',
      namespace,
      '-f',
      v2,
      '--timeout',
      '120s',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(hooks).toHaveLength(1);
    expect(new Set(hooks[0]!.deploymentImages)).toEqual(new Set(['catcast:1.0.0']));
    expect(await stored()).toMatchObject({
      images: ['catcast:1.1.0'],
      completions: 4,
      parallelism: 4,
      shardCountEnv: '4',
      leaseNames: [0, 1, 2, 3].map((i) => `catcast-forecast-shard-${i}`),
    });
    expect((await revisions()).at(-1)).toMatchObject({ revision: 2, status: 'deployed' });
  });

  it('upgrades again with the same values: succeeds and changes no stored object', async () => {
    const before = await resourceVersions();
    expect(Object.keys(before).length).toBeGreaterThan(20);
    const { result, hooks } = await helmWithHookJobs(namespace, [
      'upgrade',
      release,
      chart,
      '-n',
      namespace,
      '-f',
      v2,
      '--timeout',
      '120s',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(hooks).toHaveLength(1); // the migration still runs on every upgrade
    expect(await resourceVersions()).toEqual(before);
    expect((await revisions()).at(-1)).toMatchObject({ revision: 3, status: 'deployed' });
  });

  it.each([
    ['an unknown key', { replicaCount: 3 }, /replicaCount/],
    ['a wrong type', { forecastJob: { shardCount: 'four' } }, /shardCount/],
  ])('refuses a values file with %s before touching the cluster', async (_name, values, mentioned) => {
    const r = await helm(['upgrade', release, chart, '-n', namespace, '-f', valuesFile(values)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(r.stderr).toMatch(mentioned);
    expect(await revisions()).toHaveLength(3);
  });

  it('fails an upgrade whose migration fails, before any Deployment changes', async () => {
    const before = await stored();
    const { result, hooks } = await helmWithHookJobs(
      namespace,
      [
        'upgrade',
        release,
        chart,
        '-n',
        namespace,
        '-f',
        valuesFile({ image: { tag: '2.0.0' } }),
        '--timeout',
        '120s',
      ],
      'Failed',
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/pre-upgrade hooks failed/);
    expect(hooks).toHaveLength(1);
    expect(await stored()).toEqual(before);
    expect((await revisions()).at(-1)).toMatchObject({ revision: 4, status: 'failed' });
  });
});
