export { LeaderElector, type LeaderElectorOptions, type Leadership } from './elector.js';
export {
  LeaseConflictError,
  systemClock,
  type Clock,
  type LeaseRecord,
  type LeaseStore,
  type StoredLease,
} from './store.js';
export { PostgresLeaseStore } from './postgres-store.js';
export { MemoryLeaseStore } from './memory-store.js';
export { claimFence, FencedError } from './fence.js';
export {
  KubernetesLeaseStore,
  KubernetesLeaseStoreError,
  createKubernetesLeaseStore,
  podNamespace,
  POD_NAMESPACE_FILE,
  type KubernetesLeaseStoreOptions,
  type CreateKubernetesLeaseStoreOptions,
  type LeaseApi,
} from './kubernetes-store.js';
