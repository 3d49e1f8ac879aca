// The one contract every OrderStore must satisfy (CONVENTIONS.md #9): the Postgres store and the
// in-memory one that the service's unit tests use. Test-only: imported by test files, never by
// production code (it imports vitest).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ORDER_CREATED, type OrderCreatedV1 } from '../events/index.js';
import {
  productKey,
  uuidv7,
  type MerchantInfo,
  type NewOrder,
  type NewOrderLine,
  type OrderDraft,
  type OrderStore,
} from './index.js';

/** The catalog a fixture starts with: merchants, and products with their category. */
export interface OrderStoreCatalog {
  readonly merchants: readonly MerchantInfo[];
  readonly products: readonly { merchantId: string; productId: string; categoryId: string }[];
}

/** An outbox row as written with an order. */
export interface OutboxRow {
  readonly id: string;
  readonly orderId: string;
  readonly merchantId: string;
  readonly payload: OrderCreatedV1;
  readonly traceparent: string | undefined;
}

/** One store under test, over a catalog. */
export interface OrderStoreFixture {
  readonly store: OrderStore;
  /** The outbox rows of one order. */
  outbox(orderId: string): Promise<OutboxRow[]>;
}

/** Makes a store over `catalog`; merchant ids are unique per call, so fixtures may share a database. */
export type MakeOrderStore = (catalog: OrderStoreCatalog) => Promise<OrderStoreFixture>;

/** SQLSTATE of a rejected write (node-postgres's DatabaseError carries it as `code`). */
const sqlState = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;

/** A catalog with two merchants of different currency and calendar, unique to one test. */
function catalog() {
  const suffix = randomBytes(4).toString('hex');
  const eur: MerchantInfo = {
    id: `m-eur-${suffix}`,
    currency: 'EUR',
    timezone: 'Europe/Berlin',
    weekStart: 'SUNDAY',
  };
  const usd: MerchantInfo = { id: `m-usd-${suffix}`, currency: 'USD', timezone: 'UTC', weekStart: 'MONDAY' };
  return {
    eur,
    usd,
    catalog: {
      merchants: [eur, usd],
      products: [
        { merchantId: eur.id, productId: 'p1', categoryId: 'c1' },
        { merchantId: eur.id, productId: 'p2', categoryId: 'c2' },
        // the same product id at another merchant, in another category
        { merchantId: usd.id, productId: 'p1', categoryId: 'c9' },
      ],
    } satisfies OrderStoreCatalog,
  };
}

type DraftLine = Omit<NewOrderLine, 'categoryId'>;

const line = (lineNo: number, productId: string, quantity: number, unitPriceMinor: bigint): DraftLine => ({
  lineNo,
  productId,
  quantity,
  unitPriceMinor,
  amountMinor: BigInt(quantity) * unitPriceMinor,
});

const PLACED = new Date('2026-03-01T10:15:00.000Z');

function draft(
  merchant: MerchantInfo,
  externalOrderId: string,
  lines: DraftLine[],
  currency = merchant.currency,
): OrderDraft {
  const id = uuidv7();
  const eventId = uuidv7();
  const totalMinor = lines.reduce((s, l) => s + l.amountMinor, 0n);
  return {
    id,
    merchantId: merchant.id,
    externalOrderId,
    placedAt: PLACED,
    currency,
    totalMinor,
    contentHash: `hash-${externalOrderId}`,
    lines,
    eventId,
    eventTemplate: {
      eventId,
      eventType: ORDER_CREATED,
      schemaVersion: 1,
      occurredAt: PLACED.toISOString(),
      merchantId: merchant.id,
      orderId: id,
      externalOrderId,
      placedAt: PLACED.toISOString(),
      currency,
      totalMinor: totalMinor.toString(),
    },
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  };
}

/** A NewOrder (what insertOrders takes): categories resolved by the caller, payload complete. */
function newOrder(
  merchant: MerchantInfo,
  externalOrderId: string,
  lines: (DraftLine & { categoryId: string })[],
): NewOrder {
  const d = draft(merchant, externalOrderId, lines);
  return {
    ...d,
    lines,
    eventPayload: {
      ...d.eventTemplate,
      merchantTimezone: merchant.timezone,
      merchantWeekStart: merchant.weekStart,
      items: lines.map((l) => ({
        productId: l.productId,
        categoryId: l.categoryId,
        quantity: l.quantity,
        amountMinor: l.amountMinor.toString(),
      })),
    },
  };
}

/** Registers the OrderStore contract tests for one store. */
export function describeOrderStoreContract(name: string, make: MakeOrderStore): void {
  describe(`OrderStore contract: ${name}`, () => {
    it('looks up only the merchants and products that exist, each product under its own merchant', async () => {
      const { eur, usd, catalog: c } = catalog();
      const { store } = await make(c);
      const snapshot = await store.lookupCatalog(
        [eur.id, usd.id, 'm-unknown'],
        [
          { merchantId: eur.id, productId: 'p1' },
          { merchantId: eur.id, productId: 'p9' },
          { merchantId: usd.id, productId: 'p1' },
          { merchantId: usd.id, productId: 'p2' },
        ],
      );
      expect(Object.fromEntries(snapshot.merchants)).toEqual({ [eur.id]: eur, [usd.id]: usd });
      expect(Object.fromEntries(snapshot.productCategories)).toEqual({
        [productKey(eur.id, 'p1')]: 'c1',
        [productKey(usd.id, 'p1')]: 'c9',
      });
    });

    it('inserts one order with its lines (categories from the catalog) and one outbox event with the merchant calendar', async () => {
      const { eur, catalog: c } = catalog();
      const f = await make(c);
      const d = draft(eur, 'o-1', [line(1, 'p1', 2, 250n), line(2, 'p2', 1, 1000n)]);
      const result = await f.store.insertOne(d);
      expect(result.merchant).toEqual(eur);
      expect(result.categories).toEqual(['c1', 'c2']);
      expect(result.createdAt).toBeInstanceOf(Date);
      const stored = await f.store.getOrder(d.id);
      expect(stored).toEqual({
        id: d.id,
        merchantId: eur.id,
        externalOrderId: 'o-1',
        placedAt: PLACED,
        currency: 'EUR',
        totalMinor: 1500n,
        contentHash: 'hash-o-1',
        createdAt: result.createdAt,
        lines: [
          { ...line(1, 'p1', 2, 250n), categoryId: 'c1' },
          { ...line(2, 'p2', 1, 1000n), categoryId: 'c2' },
        ],
      });
      const events = await f.outbox(d.id);
      expect(events).toEqual([
        {
          id: d.eventId,
          orderId: d.id,
          merchantId: eur.id,
          traceparent: d.traceparent,
          payload: {
            ...d.eventTemplate,
            merchantTimezone: 'Europe/Berlin',
            merchantWeekStart: 'SUNDAY',
            items: [
              { productId: 'p1', categoryId: 'c1', quantity: 2, amountMinor: '500' },
              { productId: 'p2', categoryId: 'c2', quantity: 1, amountMinor: '1000' },
            ],
          },
        },
      ]);
    });

    it.each([
      ['an unknown merchant', 'unknown-merchant'],
      ['another currency than the merchant', 'wrong-currency'],
      ['an unknown product', 'unknown-product'],
      ["another merchant's product", 'foreign-product'],
    ])('writes nothing for %s, and says what it found', async (_, kind) => {
      const { eur, usd, catalog: c } = catalog();
      const f = await make(c);
      const ghost: MerchantInfo = { ...eur, id: `${eur.id}-ghost` };
      const d = {
        'unknown-merchant': draft(ghost, 'o-1', [line(1, 'p1', 1, 100n)]),
        'wrong-currency': draft(eur, 'o-1', [line(1, 'p1', 1, 100n)], 'USD'),
        'unknown-product': draft(eur, 'o-1', [line(1, 'p1', 1, 100n), line(2, 'p9', 1, 100n)]),
        'foreign-product': draft(usd, 'o-1', [line(1, 'p2', 1, 100n)]),
      }[kind]!;
      const result = await f.store.insertOne(d);
      expect(result.createdAt).toBeUndefined();
      const expected = {
        'unknown-merchant': { merchant: undefined, categories: [null] },
        'wrong-currency': { merchant: eur, categories: ['c1'] },
        'unknown-product': { merchant: eur, categories: ['c1', null] },
        'foreign-product': { merchant: usd, categories: [null] },
      }[kind]!;
      expect({ merchant: result.merchant, categories: result.categories }).toEqual(expected);
      expect(await f.store.getOrder(d.id)).toBeUndefined();
      expect(await f.outbox(d.id)).toEqual([]);
    });

    it('skips an order whose external id exists at the merchant, keeping the first', async () => {
      const { eur, usd, catalog: c } = catalog();
      const f = await make(c);
      const first = draft(eur, 'o-1', [line(1, 'p1', 1, 100n)]);
      const again = draft(eur, 'o-1', [line(1, 'p1', 5, 100n)]);
      const elsewhere = draft(usd, 'o-1', [line(1, 'p1', 1, 100n)]);
      expect((await f.store.insertOne(first)).createdAt).toBeInstanceOf(Date);
      const second = await f.store.insertOne(again);
      expect(second.createdAt).toBeUndefined();
      expect(second.merchant).toEqual(eur);
      expect((await f.store.insertOne(elsewhere)).createdAt).toBeInstanceOf(Date);
      const found = await f.store.findByExternalIds([
        { merchantId: eur.id, externalOrderId: 'o-1' },
        { merchantId: eur.id, externalOrderId: 'o-2' },
      ]);
      expect(found.map((o) => [o.id, o.lines[0]!.quantity])).toEqual([[first.id, 1]]);
      expect(await f.outbox(again.id)).toEqual([]);
    });

    it('checks and writes each of several orders on its own, answering in input order', async () => {
      const { eur, usd, catalog: c } = catalog();
      const f = await make(c);
      await f.store.insertOne(draft(eur, 'exists', [line(1, 'p1', 1, 100n)]));
      const drafts = [
        draft(eur, 'a', [line(1, 'p2', 3, 100n)]),
        draft(eur, 'b', [line(1, 'p9', 1, 100n)]),
        draft(usd, 'c', [line(1, 'p1', 1, 700n)]),
        draft(eur, 'exists', [line(1, 'p1', 1, 100n)]),
        draft(usd, 'd', [line(1, 'p1', 1, 100n)], 'EUR'),
      ];
      const results = await f.store.insertMany(drafts);
      expect(results.map((r) => [r.merchant?.id, r.categories, r.createdAt instanceof Date])).toEqual([
        [eur.id, ['c2'], true],
        [eur.id, [null], false],
        [usd.id, ['c9'], true],
        [eur.id, ['c1'], false],
        [usd.id, ['c9'], false],
      ]);
      const events = await Promise.all(drafts.map((d) => f.outbox(d.id)));
      expect(events.map((e) => e.length)).toEqual([1, 0, 1, 0, 0]);
      expect(events[2]![0]!.payload).toMatchObject({
        merchantTimezone: 'UTC',
        merchantWeekStart: 'MONDAY',
        items: [{ productId: 'p1', categoryId: 'c9', quantity: 1, amountMinor: '700' }],
      });
      expect(await f.store.insertMany([])).toEqual([]);
    });

    it('inserts a batch with the caller’s payloads, skipping keys that exist or repeat, and reports only what it wrote', async () => {
      const { eur, catalog: c } = catalog();
      const f = await make(c);
      const existing = draft(eur, 'x', [line(1, 'p1', 1, 100n)]);
      await f.store.insertOne(existing);
      const a = newOrder(eur, 'a', [{ ...line(1, 'p1', 2, 100n), categoryId: 'c1' }]);
      const x = newOrder(eur, 'x', [{ ...line(1, 'p1', 9, 100n), categoryId: 'c1' }]);
      const a2 = newOrder(eur, 'a', [{ ...line(1, 'p2', 1, 100n), categoryId: 'c2' }]);
      // The category recorded is the caller's (as of the order), not looked up again.
      const b = newOrder(eur, 'b', [
        { ...line(2, 'p2', 1, 300n), categoryId: 'c1' },
        { ...line(1, 'p1', 1, 200n), categoryId: 'c1' },
      ]);
      const inserted = await f.store.insertOrders([a, x, a2, b]);
      expect([...inserted.keys()].sort()).toEqual([a.id, b.id].sort());
      expect((await f.store.getOrder(b.id))?.lines.map((l) => [l.lineNo, l.productId, l.categoryId])).toEqual(
        [
          [1, 'p1', 'c1'],
          [2, 'p2', 'c1'],
        ],
      );
      expect(await f.store.getOrder(x.id)).toBeUndefined();
      expect(await f.store.getOrder(a2.id)).toBeUndefined();
      expect((await f.outbox(a.id)).map((e) => e.payload)).toEqual([a.eventPayload]);
      expect(await f.outbox(a2.id)).toEqual([]);
      expect(await f.store.insertOrders([a])).toEqual(new Map());
    });

    it.each([
      ['an amount that is not quantity x unit price', '23514'],
      ['a quantity of zero', '23514'],
      ['an unknown product', '23503'],
      ['an unknown category', '23503'],
    ])('refuses a whole batch with %s (SQLSTATE %s), writing nothing', async (what, code) => {
      const { eur, catalog: c } = catalog();
      const f = await make(c);
      const good = newOrder(eur, 'good', [{ ...line(1, 'p1', 1, 100n), categoryId: 'c1' }]);
      const badLine = {
        'an amount that is not quantity x unit price': {
          ...line(1, 'p1', 2, 100n),
          amountMinor: 201n,
          categoryId: 'c1',
        },
        'a quantity of zero': { ...line(1, 'p1', 0, 100n), categoryId: 'c1' },
        'an unknown product': { ...line(1, 'p9', 1, 100n), categoryId: 'c1' },
        'an unknown category': { ...line(1, 'p1', 1, 100n), categoryId: 'c7' },
      }[what]!;
      const bad = newOrder(eur, 'bad', [badLine]);
      const err = await f.store.insertOrders([good, bad]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(sqlState(err)).toBe(code);
      expect(await f.store.getOrder(good.id)).toBeUndefined();
      expect(await f.outbox(good.id)).toEqual([]);
    });

    it('finds nothing for unknown ids and keys', async () => {
      const { eur, catalog: c } = catalog();
      const { store } = await make(c);
      expect(await store.getOrder(uuidv7())).toBeUndefined();
      expect(await store.findByExternalIds([{ merchantId: eur.id, externalOrderId: 'nope' }])).toEqual([]);
      expect(await store.findByExternalIds([])).toEqual([]);
    });
  });
}
