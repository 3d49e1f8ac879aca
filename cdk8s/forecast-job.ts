import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { commonLabels, selectorLabels } from './labels.js';
import { APP_UID, hardenPodSpec, type SecretEnv } from './pod-security.js';
import type { Resources } from './values.js';
import type { WorkloadCommon } from './workload-defaults.js';

/** Lease name of a forecast shard; the Role allows update/patch on exactly these names. */
export function shardLeaseName(shard: number): string {
  return `catcast-forecast-shard-${shard}`;
}

/** Largest shard count accepted (each shard is one pod of the Indexed Job). */
export const MAX_SHARDS = 64;

/** Props of {@link ForecastJob}. */
export interface ForecastJobProps extends Omit<
  WorkloadCommon,
  'authEnv' | 'preStopSleepSeconds' | 'topologySpread'
> {
  /** Cron schedule of the precompute. */
  readonly schedule: string;
  /** Seconds between two scheduled runs; deadlines must fit inside it. */
  readonly periodSeconds: number;
  /** Merchant shards = completions = parallelism of the Indexed Job. */
  readonly shardCount: number;
  /** @default 300 */
  readonly startingDeadlineSeconds?: number;
  /** @default 2 */
  readonly backoffLimit?: number;
  /** @default 1800 */
  readonly activeDeadlineSeconds?: number;
  /** @default 3 */
  readonly successfulJobsHistoryLimit?: number;
  /** @default 3 */
  readonly failedJobsHistoryLimit?: number;
  /** LEASE_STORE of the job. @default 'kubernetes' */
  readonly leaseStore?: 'kubernetes' | 'postgres';
  /** Container resources. */
  readonly resources: Resources;
}

/**
 * The merchant-sharded forecast precompute: a CronJob whose Indexed Job runs one pod per shard
 * (JOB_COMPLETION_INDEX = shard), plus the ServiceAccount, Role and RoleBinding that let each pod
 * hold its shard's coordination.k8s.io Lease and nothing else.
 */
export class ForecastJob extends Construct {
  /** Name of the CronJob and of its ServiceAccount/Role/RoleBinding. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: ForecastJobProps) {
    super(scope, id);
    const n = props.shardCount;
    const activeDeadline = props.activeDeadlineSeconds ?? 1800;
    const startingDeadline = props.startingDeadlineSeconds ?? 300;
    if (!Number.isInteger(n) || n < 1 || n > MAX_SHARDS) {
      throw new Error(`forecast-job: shardCount must be an integer in 1..${MAX_SHARDS}, got ${n}`);
    }
    if (activeDeadline > props.periodSeconds) {
      throw new Error(
        `forecast-job: activeDeadlineSeconds (${activeDeadline}) must not exceed periodSeconds (${props.periodSeconds}), or a run overlaps the next one and concurrencyPolicy Forbid skips it`,
      );
    }
    if (startingDeadline >= props.periodSeconds) {
      throw new Error(
        `forecast-job: startingDeadlineSeconds (${startingDeadline}) must be less than periodSeconds (${props.periodSeconds})`,
      );
    }
    if (props.schedule.trim().split(/\s+/).length !== 5 && !props.schedule.startsWith('@')) {
      throw new Error(`forecast-job: schedule '${props.schedule}' is not a 5-field cron expression`);
    }

    this.name = `${props.release}-forecast-job`;
    const labels = commonLabels(props.release, 'forecast-job', props.version);
    const leaseNames = Array.from({ length: n }, (_, i) => shardLeaseName(i));

    new kplus.ServiceAccount(this, 'sa', {
      metadata: { name: this.name, labels },
      // The Lease client authenticates with this token; nothing else in the release gets one.
      automountToken: true,
    });
    new kplus.k8s.KubeRole(this, 'role', {
      metadata: { name: this.name, labels },
      rules: [
        {
          // create cannot be limited by name (the name is not known before the object exists).
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          verbs: ['get', 'list', 'watch', 'create'],
        },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: leaseNames,
          verbs: ['update', 'patch'],
        },
      ],
    });
    new kplus.k8s.KubeRoleBinding(this, 'rolebinding', {
      metadata: { name: this.name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.name },
      subjects: [{ kind: 'ServiceAccount', name: this.name }],
    });

    const secretEnv = (s: SecretEnv): kplus.k8s.EnvVar => ({
      name: s.name,
      valueFrom: { secretKeyRef: { name: s.secretName, key: s.key, optional: s.optional ?? false } },
    });
    const cron = new kplus.k8s.KubeCronJob(this, 'cronjob', {
      metadata: { name: this.name, labels },
      spec: {
        schedule: props.schedule,
        timeZone: 'Etc/UTC',
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: startingDeadline,
        successfulJobsHistoryLimit: props.successfulJobsHistoryLimit ?? 3,
        failedJobsHistoryLimit: props.failedJobsHistoryLimit ?? 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            completionMode: 'Indexed',
            completions: n,
            parallelism: n,
            backoffLimit: props.backoffLimit ?? 2,
            activeDeadlineSeconds: activeDeadline,
            template: {
              metadata: { labels: { ...labels, ...selectorLabels(props.release, 'forecast-job') } },
              spec: {
                serviceAccountName: this.name,
                automountServiceAccountToken: true,
                restartPolicy: 'Never',
                terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 30,
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: APP_UID,
                  runAsGroup: APP_UID,
                  fsGroup: APP_UID,
                },
                containers: [
                  {
                    name: 'forecast-job',
                    image: props.image,
                    imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
                    args: ['forecast-job'],
                    envFrom: [{ configMapRef: { name: props.configMapName } }],
                    env: [
                      { name: 'OTEL_SERVICE_NAME', value: 'catcast-forecast-job' },
                      { name: 'SHARD_COUNT', value: String(n) },
                      {
                        // Also set by Kubernetes as JOB_COMPLETION_INDEX; named explicitly for the binary's config.
                        name: 'SHARD_INDEX',
                        valueFrom: {
                          fieldRef: {
                            fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
                          },
                        },
                      },
                      { name: 'LEASE_STORE', value: props.leaseStore ?? 'kubernetes' },
                      {
                        name: 'LEASE_NAMESPACE',
                        valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
                      },
                      ...props.databaseEnv.map(secretEnv),
                    ],
                    securityContext: {
                      runAsNonRoot: true,
                      runAsUser: APP_UID,
                      runAsGroup: APP_UID,
                      readOnlyRootFilesystem: true,
                      allowPrivilegeEscalation: false,
                      privileged: false,
                    },
                    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                  },
                ],
                volumes: [{ name: 'tmp', emptyDir: { sizeLimit: kplus.k8s.Quantity.fromString('64Mi') } }],
              },
            },
          },
        },
      },
    });
    hardenPodSpec(
      cron,
      '/spec/jobTemplate/spec/template/spec',
      props.resources,
      props.imagePullSecrets ?? [],
    );
  }
}
