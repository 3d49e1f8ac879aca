import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { commonLabels } from './labels.js';
import { APP_UID, hardenPodSpec } from './pod-security.js';
import type { Resources } from './values.js';
import type { WorkloadCommon } from './workload-defaults.js';

/** Helm hook annotations that run the migration before any Deployment of an install or upgrade rolls. */
export const MIGRATION_HOOK_ANNOTATIONS: Readonly<Record<string, string>> = {
  'helm.sh/hook': 'pre-install,pre-upgrade',
  'helm.sh/hook-weight': '-5',
  'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
};

/** Props of {@link MigrationJob}. */
export interface MigrationJobProps extends Pick<
  WorkloadCommon,
  'release' | 'image' | 'version' | 'imagePullPolicy' | 'imagePullSecrets' | 'databaseEnv'
> {
  /** Literal environment (the ConfigMap does not exist yet when a pre-install hook runs). */
  readonly env: Readonly<Record<string, string>>;
  /** @default 3 */
  readonly backoffLimit?: number;
  /** @default 600 */
  readonly activeDeadlineSeconds?: number;
  /** Container resources. */
  readonly resources: Resources;
}

/** The schema migration Job (`migrate` binary), a Helm pre-install/pre-upgrade hook. */
export class MigrationJob extends Construct {
  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);
    const backoffLimit = props.backoffLimit ?? 3;
    if (backoffLimit < 0) throw new Error(`migration: backoffLimit must be >= 0, got ${backoffLimit}`);
    const labels = commonLabels(props.release, 'migrate', props.version);
    const job = new kplus.k8s.KubeJob(this, 'job', {
      metadata: { name: `${props.release}-migrate`, labels, annotations: { ...MIGRATION_HOOK_ANNOTATIONS } },
      spec: {
        backoffLimit,
        activeDeadlineSeconds: props.activeDeadlineSeconds ?? 600,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: APP_UID,
              runAsGroup: APP_UID,
              fsGroup: APP_UID,
            },
            containers: [
              {
                name: 'migrate',
                image: props.image,
                imagePullPolicy: props.imagePullPolicy ?? 'IfNotPresent',
                args: ['migrate'],
                env: [
                  ...Object.entries(props.env).map(([name, value]) => ({ name, value })),
                  { name: 'OTEL_SERVICE_NAME', value: 'catcast-migrate' },
                  ...props.databaseEnv.map((s) => ({
                    name: s.name,
                    valueFrom: {
                      secretKeyRef: { name: s.secretName, key: s.key, optional: s.optional ?? false },
                    },
                  })),
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
    });
    hardenPodSpec(job, '/spec/template/spec', props.resources, props.imagePullSecrets ?? []);
  }
}
