import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { coalesceInserts } from './coalesce.js';
import type { InsertOneResult, OrderDraft, OrderStore } from './store.js';

function draft(merchantId: string, externalOrderId: string): OrderDraft {
  return {
    id: `${merchantId}-${externalOrderId}`,
    merchantId,
    externalOrderId,
    placedAt: new Date(0),
    currency: 'EUR',
    totalMinor: 100n,
    contentHash: 'h',
    lines: [{ lineNo: 1, productId: 'p1', quantity: 1, unitPriceMinor: 100n, amountMinor: 100n }],
    eventId: 'e',
    eventTemplate: {} as OrderDraft['eventTemplate'],
    traceparent: undefined,
  };
}

const created = (d: OrderDraft): InsertOneResult => ({
  merchant: { id: d.merchantId, currency: 'EUR', timezone: 'UTC', weekStart: 'MONDAY' },
  categories: ['c1'],
  createdAt: new Date(Number(d.externalOrderId.replace(/\D/g, '') || 0)),
});

/** A store whose statements stay open until the test releases them. */
function gatedStore(fail?: (drafts: readonly OrderDraft[]) => Error | undefined) {
  const statements: { kind: 'one' | 'many'; drafts: OrderDraft[]; release: () => void }[] = [];
  const run = (kind: 'one' | 'many', drafts: OrderDraft[]) =>
    new Promise<InsertOneResult[]>((resolve, reject) => {
      statements.push({
        kind,
        drafts,
        release: () => {
          const err = fail?.(drafts);
          if (err) reject(err);
          else resolve(drafts.map(created));
        },
      });
    });
  const store = {
    insertOne: async (d: OrderDraft) => (await run('one', [d]))[0]!,
    insertMany: (ds: readonly OrderDraft[]) => run('many', [...ds]),
  } as unknown as OrderStore;
  return { store, statements };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('coalesceInserts', () => {
  it('sends a lone order at once, by itself', async () => {
    const { store, statements } = gatedStore();
    const c = coalesceInserts(store, { maxInFlight: 2 });
    const p = c.insertOne(draft('m1', 'o1'));
    await tick();
    expect(statements.map((s) => s.kind)).toEqual(['one']);
    statements[0]!.release();
    expect((await p).createdAt).toEqual(new Date(1));
  });

  it('groups the orders that arrive while the statements in flight run, and answers each its own result', async () => {
    const { store, statements } = gatedStore();
    const c = coalesceInserts(store, { maxInFlight: 1, maxBatch: 10 });
    const first = c.insertOne(draft('m1', 'o1'));
    const rest = [2, 3, 4].map((n) => c.insertOne(draft('m2', `o${n}`)));
    await tick();
    expect(statements).toHaveLength(1); // the others wait for the slot
    statements[0]!.release();
    await first;
    await tick();
    expect(statements[1]!.kind).toBe('many');
    expect(statements[1]!.drafts.map((d) => d.externalOrderId)).toEqual(['o2', 'o3', 'o4']);
    statements[1]!.release();
    expect((await Promise.all(rest)).map((r) => r.createdAt?.getTime())).toEqual([2, 3, 4]);
  });

  it('caps a statement at maxBatch orders and sorts them by key', async () => {
    const { store, statements } = gatedStore();
    const c = coalesceInserts(store, { maxInFlight: 1, maxBatch: 2 });
    const all = [c.insertOne(draft('m1', 'o9'))];
    for (const id of ['o5', 'o3', 'o4']) all.push(c.insertOne(draft('m1', id)));
    await tick();
    statements[0]!.release();
    await tick();
    await tick();
    expect(statements[1]!.drafts.map((d) => d.externalOrderId)).toEqual(['o3', 'o5']);
    statements[1]!.release();
    await tick();
    await tick();
    expect(statements[2]!.drafts.map((d) => d.externalOrderId)).toEqual(['o4']);
    statements[2]!.release();
    await Promise.all(all);
  });

  it('never puts two orders with the same merchant and external id in one statement', async () => {
    const { store, statements } = gatedStore();
    const c = coalesceInserts(store, { maxInFlight: 1 });
    const all = [c.insertOne(draft('m1', 'o0'))];
    all.push(c.insertOne(draft('m1', 'o1')), c.insertOne(draft('m1', 'o1')), c.insertOne(draft('m1', 'o2')));
    await tick();
    statements[0]!.release();
    await tick();
    await tick();
    expect(statements[1]!.drafts.map((d) => d.externalOrderId)).toEqual(['o1', 'o2']);
    statements[1]!.release();
    await tick();
    await tick();
    expect(statements[2]!.drafts.map((d) => d.externalOrderId)).toEqual(['o1']);
    statements[2]!.release();
    await Promise.all(all);
  });

  it('retries each order alone when the shared statement hit a data error, so only the faulty order fails', async () => {
    const bad = Object.assign(new Error('numeric field overflow'), { code: '22003' });
    const { store, statements } = gatedStore((ds) =>
      ds.some((d) => d.externalOrderId === 'bad') ? bad : undefined,
    );
    const c = coalesceInserts(store, { maxInFlight: 1 });
    const first = c.insertOne(draft('m1', 'o1'));
    const good = c.insertOne(draft('m1', 'o2'));
    const faulty = c.insertOne(draft('m1', 'bad')).catch((e: unknown) => e);
    await tick();
    statements[0]!.release();
    await first;
    await tick();
    statements[1]!.release(); // the shared statement fails
    for (let i = 2; i < 4; i++) {
      await tick();
      await tick();
      expect(statements[i]!.kind).toBe('one');
      statements[i]!.release();
    }
    expect(await faulty).toBe(bad);
    expect((await good).createdAt).toEqual(new Date(2));
  });

  it('fails every order of the statement when the database is unavailable', async () => {
    const down = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    const { store, statements } = gatedStore((ds) => (ds.length > 1 ? down : undefined));
    const c = coalesceInserts(store, { maxInFlight: 1 });
    const first = c.insertOne(draft('m1', 'o1'));
    const others = ['o2', 'o3'].map((id) => c.insertOne(draft('m1', id)).catch((e: unknown) => e));
    await tick();
    statements[0]!.release();
    await first;
    await tick();
    statements[1]!.release();
    expect(await Promise.all(others)).toEqual([down, down]);
    expect(statements).toHaveLength(2);
  });

  it('runs a shared statement in the async context of the first request of its group (its trace)', async () => {
    const als = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    const { store, statements } = gatedStore();
    const traced = {
      ...store,
      insertOne: (d: OrderDraft) => {
        seen.push(als.getStore());
        return store.insertOne(d);
      },
      insertMany: (ds: readonly OrderDraft[]) => {
        seen.push(als.getStore());
        return store.insertMany(ds);
      },
    };
    const c = coalesceInserts(traced, { maxInFlight: 1 });
    const a = als.run('request-a', () => c.insertOne(draft('m1', 'o1')));
    const b = als.run('request-b', () => c.insertOne(draft('m1', 'o2')));
    const d = als.run('request-c', () => c.insertOne(draft('m1', 'o3')));
    await tick();
    statements[0]!.release();
    await a;
    await tick();
    statements[1]!.release();
    await Promise.all([b, d]);
    expect(seen).toEqual(['request-a', 'request-b']);
  });

  it('with maxBatch 1 passes every order straight through', async () => {
    const { store, statements } = gatedStore();
    const c = coalesceInserts(store, { maxBatch: 1, maxInFlight: 1 });
    const all = [1, 2, 3].map((n) => c.insertOne(draft('m1', `o${n}`)));
    await tick();
    expect(statements.map((s) => s.kind)).toEqual(['one', 'one', 'one']);
    for (const s of statements) s.release();
    await Promise.all(all);
  });
});
