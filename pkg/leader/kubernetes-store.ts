import { readFileSync } from 'node:fs';
// Types only: the client takes ~2 s to import, so it is loaded at run time by
// createKubernetesLeaseStore and never by binaries that import pkg/leader for the Postgres store.
import type { CoordinationV1Api, KubeConfig, V1Lease, V1ObjectMeta } from '@kubernetes/client-node';
import { LeaseConflictError, type LeaseRecord, type LeaseStore, type StoredLease } from './store.js';

/** The three CoordinationV1Api calls the store makes (the real client, or a wrapper in tests). */
export type LeaseApi = Pick<
  CoordinationV1Api,
  'readNamespacedLease' | 'createNamespacedLease' | 'replaceNamespacedLease'
>;

/** Where a pod's service-account volume says which namespace the pod runs in. */
export const POD_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** A Kubernetes API call of the store failed with something other than 404/409 (e.g. 401, 403, 5xx, timeout). */
export class KubernetesLeaseStoreError extends Error {
  override name = 'KubernetesLeaseStoreError';
  constructor(
    message: string,
    /** HTTP status of the API server's answer; undefined when there was none (network, timeout). */
    readonly status: number | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A Date whose JSON form has microseconds, as metav1.MicroTime requires ("...:05.000000Z"); a plain
 * Date's milliseconds are refused with 400. Same as the client's V1MicroTime, defined here so that
 * the store does not load the client at import time.
 */
class MicroTime extends Date {
  override toISOString(): string {
    return `${super.toISOString().slice(0, -1)}000Z`;
  }
}

const micro = (d: Date | null): MicroTime | undefined => (d ? new MicroTime(d.getTime()) : undefined);
// The 1.x client does not deserialize MicroTime (it is not in its type map): the field arrives as the
// server's string, so both shapes are accepted.
const toDate = (v: Date | string | undefined): Date | null => (v === undefined ? null : new Date(v));

function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function reasonOf(err: unknown): string {
  const body = (err as { body?: unknown } | null)?.body;
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: unknown };
      if (typeof status.message === 'string') return status.message;
    } catch {
      // not a Status object: fall through to the error's own message
    }
  }
  return err instanceof Error ? err.message : String(err);
}

/** Options of {@link KubernetesLeaseStore}. */
export interface KubernetesLeaseStoreOptions {
  /** CoordinationV1Api of @kubernetes/client-node 1.x. */
  readonly api: LeaseApi;
  /** Namespace of the Leases. */
  readonly namespace: string;
}

/**
 * LeaseStore on coordination.k8s.io/v1 Leases: the lease's resourceVersion is the store's version, so
 * a replace with a stale one is refused by the API server (409) exactly like client-go's lease lock.
 */
export class KubernetesLeaseStore implements LeaseStore {
  readonly description: string;
  private readonly api: LeaseApi;
  private readonly namespace: string;
  // Metadata last seen per lease: a replace sends it back so labels/annotations that others put on
  // the Lease survive (replace is a whole-object write).
  private readonly metadata = new Map<string, V1ObjectMeta>();

  constructor({ api, namespace }: KubernetesLeaseStoreOptions) {
    if (!namespace) throw new RangeError('KubernetesLeaseStore: namespace must not be empty');
    this.api = api;
    this.namespace = namespace;
    this.description = `kubernetes leases in namespace ${namespace}`;
  }

  async get(name: string): Promise<StoredLease | null> {
    try {
      return this.remember(name, await this.api.readNamespacedLease({ name, namespace: this.namespace }));
    } catch (err) {
      if (statusOf(err) === 404) {
        this.metadata.delete(name);
        return null;
      }
      throw this.wrap('read', name, err);
    }
  }

  async create(name: string, record: LeaseRecord): Promise<StoredLease> {
    try {
      const body: V1Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: this.namespace },
        spec: this.spec(record),
      };
      return this.remember(name, await this.api.createNamespacedLease({ namespace: this.namespace, body }));
    } catch (err) {
      if (statusOf(err) === 409) throw new LeaseConflictError(`lease ${this.where(name)} already exists`);
      throw this.wrap('create', name, err);
    }
  }

  async update(name: string, record: LeaseRecord, version: string): Promise<StoredLease> {
    const seen = this.metadata.get(name);
    const metadata: V1ObjectMeta = {
      ...(seen?.resourceVersion === version ? seen : {}),
      name,
      namespace: this.namespace,
      resourceVersion: version,
    };
    try {
      const body: V1Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata,
        spec: this.spec(record),
      };
      return this.remember(
        name,
        await this.api.replaceNamespacedLease({ name, namespace: this.namespace, body }),
      );
    } catch (err) {
      // 409: someone else replaced it since `version`; 404: it was deleted (the next get recreates it).
      const status = statusOf(err);
      if (status === 409 || status === 404)
        throw new LeaseConflictError(`lease ${this.where(name)} changed since resourceVersion ${version}`);
      throw this.wrap('update', name, err);
    }
  }

  private spec(r: LeaseRecord): V1Lease['spec'] {
    return {
      holderIdentity: r.holderIdentity,
      leaseDurationSeconds: r.leaseDurationSeconds,
      acquireTime: micro(r.acquireTime),
      renewTime: micro(r.renewTime),
      leaseTransitions: r.leaseTransitions,
    };
  }

  private remember(name: string, lease: V1Lease): StoredLease {
    const version = lease.metadata?.resourceVersion;
    if (!version) throw new KubernetesLeaseStoreError(`lease ${this.where(name)} has no resourceVersion`, 0);
    this.metadata.set(name, lease.metadata!);
    const spec = lease.spec ?? {};
    return {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      acquireTime: toDate(spec.acquireTime),
      renewTime: toDate(spec.renewTime),
      leaseTransitions: spec.leaseTransitions ?? 0,
      version,
    };
  }

  private where(name: string): string {
    return `${this.namespace}/${name}`;
  }

  private wrap(op: string, name: string, err: unknown): KubernetesLeaseStoreError {
    const status = statusOf(err);
    return new KubernetesLeaseStoreError(
      `cannot ${op} lease ${this.where(name)}: ${status ? `HTTP ${status}: ` : ''}${reasonOf(err)}`,
      status,
      { cause: err },
    );
  }
}

/** Options of {@link createKubernetesLeaseStore}. */
export interface CreateKubernetesLeaseStoreOptions {
  /**
   * Namespace of the Leases.
   * @default the pod's namespace (POD_NAMESPACE_FILE), else the kubeconfig context's, else "default"
   */
  readonly namespace?: string;
  /**
   * Loads the credentials into a fresh KubeConfig.
   * @default kc.loadFromDefault(): $KUBECONFIG, ~/.kube/config, then the in-cluster service account
   */
  readonly configure?: (kc: KubeConfig) => void;
  /**
   * Timeout of each API request. A renewal (get + replace) must fail before the renew deadline
   * rather than hang past it, or a partitioned leader would keep believing it leads.
   * @default 5000 ms
   */
  readonly requestTimeoutMs?: number;
  /** Where the pod namespace is read from. @default POD_NAMESPACE_FILE */
  readonly podNamespaceFile?: string;
}

/** The pod's namespace from its service-account volume, or undefined outside a pod. */
export function podNamespace(file = POD_NAMESPACE_FILE): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Loads @kubernetes/client-node, builds a CoordinationV1Api from the kubeconfig (in a pod: the
 * service account's token and CA) with a per-request timeout, and returns a {@link KubernetesLeaseStore}.
 */
export async function createKubernetesLeaseStore(
  options: CreateKubernetesLeaseStoreOptions = {},
): Promise<KubernetesLeaseStore> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  (options.configure ?? ((c: KubeConfig) => c.loadFromDefault()))(kc);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('cannot build a Kubernetes client: the kubeconfig has no current cluster');
  const timeoutMs = options.requestTimeoutMs ?? 5000;
  const configuration = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        pre: (ctx) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          return Promise.resolve(ctx);
        },
        post: (ctx) => Promise.resolve(ctx),
      },
    ],
  });
  const namespace =
    options.namespace ||
    podNamespace(options.podNamespaceFile) ||
    kc.getContextObject(kc.getCurrentContext())?.namespace ||
    'default';
  return new KubernetesLeaseStore({ api: new k8s.CoordinationV1Api(configuration), namespace });
}
