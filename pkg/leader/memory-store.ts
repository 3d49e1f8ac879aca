import { LeaseConflictError, type LeaseRecord, type LeaseStore, type StoredLease } from './store.js';

/** In-memory LeaseStore for unit tests of the election algorithm. */
export class MemoryLeaseStore implements LeaseStore {
  readonly description = 'memory';
  private readonly leases = new Map<string, StoredLease>();
  private nextVersion = 1;
  /** When set, every call fails with this error (simulates an unreachable store). */
  failWith: Error | undefined;

  get(name: string): Promise<StoredLease | null> {
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve(this.leases.get(name) ?? null);
  }

  create(name: string, record: LeaseRecord): Promise<StoredLease> {
    if (this.failWith) return Promise.reject(this.failWith);
    if (this.leases.has(name)) return Promise.reject(new LeaseConflictError(`lease ${name} exists`));
    const stored = { ...record, version: String(this.nextVersion++) };
    this.leases.set(name, stored);
    return Promise.resolve(stored);
  }

  update(name: string, record: LeaseRecord, version: string): Promise<StoredLease> {
    if (this.failWith) return Promise.reject(this.failWith);
    const cur = this.leases.get(name);
    if (!cur || cur.version !== version)
      return Promise.reject(new LeaseConflictError(`lease ${name} changed`));
    const stored = { ...record, version: String(this.nextVersion++) };
    this.leases.set(name, stored);
    return Promise.resolve(stored);
  }
}
