import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { Resources } from './values.js';

/** Numeric uid/gid the image's USER runs as (see the Dockerfile). */
export const APP_UID = 10001;

/** One environment variable read from a key of an existing Secret (never inlined). */
export interface SecretEnv {
  /** Variable name, e.g. DATABASE_URL. */
  readonly name: string;
  /** Name of the existing Secret. */
  readonly secretName: string;
  /** Key inside the Secret. */
  readonly key: string;
  /**
   * When true a missing Secret or key leaves the variable unset instead of blocking the pod.
   * @default false
   */
  readonly optional?: boolean;
}

/** Builds the cdk8s-plus env value of a {@link SecretEnv}. */
export function secretEnvValue(scope: Construct, s: SecretEnv): kplus.EnvValue {
  const secret = kplus.Secret.fromSecretName(scope, `secret-${s.name}`, s.secretName);
  return kplus.EnvValue.fromSecretValue({ secret, key: s.key }, { optional: s.optional ?? false });
}

/**
 * Completes what cdk8s-plus-27 cannot express on a pod spec at `podSpecPath`: exact resources,
 * seccomp RuntimeDefault, all capabilities dropped (the restricted Pod Security profile) and pull secrets.
 */
export function hardenPodSpec(
  workload: Construct,
  podSpecPath: string,
  resources: Resources,
  imagePullSecrets: readonly string[],
): void {
  const obj = ApiObject.of(workload);
  obj.addJsonPatch(
    // The generated k8s classes re-serialise patched fields by type, so quantities must be Quantity objects.
    JsonPatch.add(`${podSpecPath}/containers/0/resources`, {
      requests: quantities(resources.requests),
      limits: quantities(resources.limits),
    }),
    JsonPatch.add(`${podSpecPath}/containers/0/securityContext/capabilities`, { drop: ['ALL'] }),
    JsonPatch.add(`${podSpecPath}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }),
    JsonPatch.add(
      `${podSpecPath}/imagePullSecrets`,
      imagePullSecrets.map((name) => ({ name })),
    ),
  );
}

function quantities(
  m: Readonly<Record<string, string>> | undefined,
): Record<string, kplus.k8s.Quantity> | undefined {
  if (!m) return undefined;
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, kplus.k8s.Quantity.fromString(v)]));
}
