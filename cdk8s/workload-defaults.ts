import type { SecretEnv } from './pod-security.js';
import type { Resources } from './values.js';
import type { TopologySpread } from './app-deployment.js';

/** Settings every catcast workload shares (image, config, secrets, pod shape). */
export interface WorkloadCommon {
  /** Release name: object-name prefix and app.kubernetes.io/instance. */
  readonly release: string;
  /** Full image reference (repository:tag). */
  readonly image: string;
  /** app.kubernetes.io/version label value (the image tag). */
  readonly version: string;
  /** @default 'IfNotPresent' */
  readonly imagePullPolicy?: string;
  /** @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** ConfigMap read with envFrom. */
  readonly configMapName: string;
  /** Checksum of that ConfigMap, as the pod-template annotation `checksum/config` (rolls pods on change). */
  readonly configChecksum?: string;
  /** Database variables (DATABASE_URL, optional DATABASE_READ_URL) from an existing Secret. */
  readonly databaseEnv: readonly SecretEnv[];
  /** Auth variables (optional keys) from an existing Secret; only API components get them. */
  readonly authEnv: readonly SecretEnv[];
  /** @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** @default 5 */
  readonly preStopSleepSeconds?: number;
  /** @default - maxSkew 1 across zones, ScheduleAnyway */
  readonly topologySpread?: TopologySpread;
}

/** Per-component sizing. */
export interface ComponentSizing {
  readonly replicas: number;
  readonly resources: Resources;
  /** @default 1 */
  readonly pdbMaxUnavailable?: number;
}
