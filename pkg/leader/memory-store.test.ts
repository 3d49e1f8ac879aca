import { describeLeaseStoreContract } from './contract.js';
import { MemoryLeaseStore } from './memory-store.js';

// Every contender shares the one in-memory store, as pods share one table or namespace.
const shared = new MemoryLeaseStore();
describeLeaseStoreContract('memory', { store: () => Promise.resolve(shared) });
