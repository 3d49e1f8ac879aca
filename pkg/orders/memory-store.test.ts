import { describeOrderStoreContract } from './contract.js';
import { createMemoryOrderStore } from './memory-store.js';

describeOrderStoreContract('memory', (catalog) => {
  const store = createMemoryOrderStore(catalog);
  return Promise.resolve({
    store,
    outbox: (orderId) => Promise.resolve(store.events.filter((e) => e.orderId === orderId)),
  });
});
