import { AsyncResource } from 'node:async_hooks';
import { isDataError } from '../db/index.js';
import type { InsertOneResult, OrderDraft, OrderStore } from './store.js';

/** Options of {@link coalesceInserts}. */
export interface InsertCoalescerOptions {
  /** Most orders one statement carries; 1 turns coalescing off. @default 50 */
  readonly maxBatch?: number;
  /** Insert statements in flight at once; orders arriving meanwhile wait and go together. @default 1 */
  readonly maxInFlight?: number;
  /**
   * Whether a failed shared statement may be one order's fault: then every order of it is inserted
   * again on its own, so that only the faulty one fails. Other errors (database unavailable,
   * deadlock) fail every order of the statement, as they would have failed each alone.
   * @default a data exception or constraint violation (SQLSTATE class 22 or 23)
   */
  readonly isOrderError?: (err: unknown) => boolean;
}

interface Pending {
  readonly draft: OrderDraft;
  readonly key: string;
  /** The async context of the request that queued this order (its trace), to run its statement in. */
  readonly context: AsyncResource;
  readonly resolve: (r: InsertOneResult) => void;
  readonly reject: (err: unknown) => void;
}

function keyOf(d: OrderDraft): string {
  return `${d.merchantId}\u0000${d.externalOrderId}`;
}

/**
 * Group commit for single-order ingestion: wraps `store` so that concurrent {@link OrderStore.insertOne}
 * calls share statements. While `maxInFlight` statements run, new orders queue; the next free slot
 * takes up to `maxBatch` of them into one {@link OrderStore.insertMany} (one round trip, one commit).
 * Nothing waits on a timer: alone, an order is sent at once, so batching only happens under load,
 * where it is what keeps per-order database work low. Every caller still gets its own result only
 * after its order committed, and two orders with the same (merchant, external id) never share a
 * statement (the second waits for the first, as idempotency requires).
 *
 * A shared statement is traced under the first request of its group (its async context).
 */
export function coalesceInserts(store: OrderStore, options: InsertCoalescerOptions = {}): OrderStore {
  const isOrderError = options.isOrderError ?? isDataError;
  const maxBatch = Math.max(1, options.maxBatch ?? 50);
  const maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  const queue: Pending[] = [];
  let inFlight = 0;

  function take(): Pending[] {
    const group: Pending[] = [];
    const keys = new Set<string>();
    for (let i = 0; i < queue.length && group.length < maxBatch;) {
      const p = queue[i]!;
      if (keys.has(p.key)) {
        i++; // a duplicate of an order in this group waits for the next statement
        continue;
      }
      keys.add(p.key);
      group.push(p);
      queue.splice(i, 1);
    }
    return group;
  }

  async function insertAlone(p: Pending): Promise<void> {
    try {
      p.resolve(await store.insertOne(p.draft));
    } catch (err) {
      p.reject(err);
    }
  }

  async function run(group: Pending[]): Promise<void> {
    if (group.length === 1) return insertAlone(group[0]!);
    // By key: two concurrent statements lock the same orders in the same order (no deadlock).
    group.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    let results: InsertOneResult[];
    try {
      results = await store.insertMany(group.map((p) => p.draft));
    } catch (err) {
      if (!isOrderError(err)) {
        for (const p of group) p.reject(err);
        return;
      }
      for (const p of group) await insertAlone(p);
      return;
    }
    group.forEach((p, i) => p.resolve(results[i]!));
  }

  function pump(): void {
    while (inFlight < maxInFlight && queue.length > 0) {
      const group = take();
      inFlight++;
      void group[0]!.context
        .runInAsyncScope(() => run(group))
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  }

  return {
    ...store,
    insertOne(draft) {
      if (maxBatch === 1) return store.insertOne(draft);
      return new Promise<InsertOneResult>((resolve, reject) => {
        queue.push({
          draft,
          key: keyOf(draft),
          // A plain AsyncResource, not AsyncResource.bind: bind defines a deprecated property with
          // its own wrapper on every call, ~6% of the ingest process's CPU per order (profiled).
          context: new AsyncResource('catcast.orders.insert'),
          resolve,
          reject,
        });
        pump();
      });
    },
  };
}
