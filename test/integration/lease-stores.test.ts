// The LeaseStore contract (pkg/leader/contract.ts), and the elector on top of it, against the two
// stores the forecast job runs on: Postgres (forecasting.leases) and coordination.k8s.io/v1 Leases of
// the real kube-apiserver started by global-setup. The memory store runs the same suite as a unit test.
import { afterAll, beforeAll } from 'vitest';
import { describeLeaseStoreContract } from '../../pkg/leader/contract.js';
import { PostgresLeaseStore } from '../../pkg/leader/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { adminLeaseStore, createNamespace } from './support/kube.js';

// Remote stores: periods well above a round trip on a loaded 2-core machine, and whole seconds of
// lease duration because Lease.spec.leaseDurationSeconds is.
const timing = { leaseDurationMs: 2000, renewDeadlineMs: 1400, retryPeriodMs: 400 };

let db: TestDatabase;
let namespace: string;

beforeAll(async () => {
  db = await createTestDatabase('leasecontract');
  namespace = await createNamespace('lease-contract');
});
afterAll(async () => {
  await db?.drop();
});

describeLeaseStoreContract(
  'postgres',
  { store: () => Promise.resolve(new PostgresLeaseStore(db.pool)) },
  { timing },
);
describeLeaseStoreContract(
  'kubernetes (real kube-apiserver)',
  { store: () => adminLeaseStore(namespace) },
  // Found by this suite: a replace of a missing Lease creates it (AllowCreateOnUpdate).
  { timing, updateCreatesMissing: true },
);
