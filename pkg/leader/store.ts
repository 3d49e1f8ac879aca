/** The state of one lease, shaped like a coordination.k8s.io/v1 Lease spec. */
export interface LeaseRecord {
  /** Who holds it; '' when released. */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: Date | null;
  readonly renewTime: Date | null;
  /** Incremented every time the lease changes hands; doubles as the fencing token. */
  readonly leaseTransitions: number;
}

/** A lease as stored, with the version used for optimistic concurrency (Kubernetes resourceVersion). */
export interface StoredLease extends LeaseRecord {
  readonly version: string;
}

/** Thrown by a store when a create finds the lease present or an update finds another version. */
export class LeaseConflictError extends Error {
  override name = 'LeaseConflictError';
}

/** Where leases live: Postgres (forecasting.leases) or Kubernetes (coordination.k8s.io Leases). */
export interface LeaseStore {
  /** The lease, or null when it does not exist. */
  get(name: string): Promise<StoredLease | null>;
  /** Creates the lease; LeaseConflictError when it already exists. */
  create(name: string, record: LeaseRecord): Promise<StoredLease>;
  /**
   * Replaces the lease if it is still at `version`; LeaseConflictError otherwise. A missing lease is
   * refused too, except by the Kubernetes store: the API server creates a Lease on replace.
   */
  update(name: string, record: LeaseRecord, version: string): Promise<StoredLease>;
  /** A human description for logs (e.g. "postgres", "kubernetes namespace/x"). */
  readonly description: string;
}

/** Time source, injectable for tests. */
export interface Clock {
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };
