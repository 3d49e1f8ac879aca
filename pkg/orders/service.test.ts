import { describe, expect, it } from 'vitest';
import { createOrderService, type SubmitResult } from './service.js';
import { OrderRejection } from './rejection.js';
import { createMemoryOrderStore, type MemoryOrderStoreOptions } from './memory-store.js';

/** The checked in-memory store (contract.ts) over one merchant, with a hook to fail writes. */
function fakeStore(failWrite?: MemoryOrderStoreOptions['failWrite']) {
  const store = createMemoryOrderStore({
    merchants: [{ id: 'm1', currency: 'EUR', timezone: 'UTC', weekStart: 'MONDAY' }],
    products: [
      { merchantId: 'm1', productId: 'p1', categoryId: 'c1' },
      { merchantId: 'm1', productId: 'bad', categoryId: 'c1' },
    ],
    failWrite,
  });
  return { store, byKey: store.orders, calls: () => store.writeCalls() };
}

const order = (externalOrderId: string, productId = 'p1', quantity = 1) => ({
  merchantId: 'm1',
  externalOrderId,
  placedAt: '2025-01-01T00:00:00Z',
  currency: 'EUR',
  items: [{ productId, quantity, unitPrice: '1.00' }],
});

const statuses = (results: SubmitResult<unknown>[]) =>
  results.map((r) => (r.outcome === 'rejected' ? r.rejection.status : r.outcome));

describe('order service', () => {
  it('answers repeated keys inside one batch like replays or conflicts of the first', async () => {
    const { store, byKey } = fakeStore();
    const svc = createOrderService({ store });
    const results = await svc.submitBatch([order('a'), order('a'), order('a', 'p1', 2), order('b')]);
    expect(statuses(results)).toEqual(['created', 'replayed', 409, 'created']);
    expect(byKey.size).toBe(2);
  });

  it('writes the first acceptable occurrence when an earlier one with the same key is invalid', async () => {
    const { store } = fakeStore();
    const svc = createOrderService({ store });
    const results = await svc.submitBatch([order('a', 'unknown'), order('a')]);
    expect(statuses(results)).toEqual([422, 'created']);
  });

  it('refuses a whole batch, writing nothing, when an entry does not match the schema', async () => {
    const { store, byKey, calls } = fakeStore();
    const svc = createOrderService({ store });
    const bad = { ...order('b'), items: [{ productId: 'p1', quantity: 0, unitPrice: '1.00' }] };
    const err = await svc.submitBatch([order('a'), bad, order('c', 'unknown'), 'nope']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OrderRejection);
    const rejection = err as OrderRejection;
    expect(rejection.status).toBe(400);
    expect(rejection.errors.map((e) => e.field)).toEqual(['orders.1.items.0.quantity', 'orders.3']);
    expect(byKey.size).toBe(0);
    expect(calls()).toBe(0);
  });

  it('retries a deadlock and succeeds', async () => {
    const { store, calls } = fakeStore((_, call) =>
      call === 1 ? Object.assign(new Error('deadlock'), { code: '40P01' }) : undefined,
    );
    const svc = createOrderService({ store });
    expect(statuses(await svc.submitBatch([order('a'), order('b')]))).toEqual(['created', 'created']);
    expect(calls()).toBe(2);
  });

  it('falls back to one statement per order when the batch statement hits a data error', async () => {
    const { store } = fakeStore((orders) =>
      orders.some((o) => o.lines.some((l) => l.productId === 'bad'))
        ? Object.assign(new Error('new row violates check constraint'), { code: '23514' })
        : undefined,
    );
    const svc = createOrderService({ store });
    const results = await svc.submitBatch([order('a'), order('x', 'bad'), order('b'), order('x', 'bad')]);
    expect(statuses(results)).toEqual(['created', 422, 'created', 422]);
    const rejected = results[1]!;
    expect(rejected.outcome === 'rejected' && rejected.rejection.reason).toBe('rejected_by_database');
    expect(rejected.outcome === 'rejected' && rejected.rejection.errors[0]!.field).toBe('orders.1');
  });

  it('rethrows an unavailable database instead of blaming the order', async () => {
    const { store } = fakeStore(() =>
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    );
    const svc = createOrderService({ store });
    await expect(svc.submit(order('a'))).rejects.toThrow(/ECONNREFUSED/);
  });

  it('lets the authorize hook refuse single orders (thrown) and batch entries (per entry)', async () => {
    const { store, byKey } = fakeStore();
    const svc = createOrderService({ store });
    const authorize = (merchantId: string) => {
      if (merchantId === 'm1')
        throw Object.assign(new Error('token is not valid for merchant m1'), { status: 403 });
    };
    await expect(svc.submit(order('a'), { authorize })).rejects.toThrow(/not valid/);
    const [entry] = await svc.submitBatch([order('a')], { authorize });
    expect(entry!.outcome === 'rejected' && entry!.rejection.status).toBe(403);
    expect(byKey.size).toBe(0);
  });

  it('finds orders only by well-formed ids', async () => {
    const { store } = fakeStore();
    const svc = createOrderService({ store });
    const created = await svc.submit(order('a'));
    expect(created.outcome).toBe('created');
    if (created.outcome !== 'created') return;
    expect((await svc.get(created.order.id))?.externalOrderId).toBe('a');
    expect(await svc.get('x')).toBeUndefined();
  });
});
