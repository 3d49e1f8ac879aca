// Shared fixtures of the aggregator's integration tests: a catalog written straight into ingestion.*,
// and orders written like the ingest service does (order + items + outbox row), with the matching
// order.created event as a bus message.
import { randomUUID } from 'node:crypto';
import type { WeekStart } from '../../pkg/buckets/index.js';
import type { Queryable } from '../../pkg/db/index.js';
import type { IncomingMessage, OrderCreatedV1 } from '../../pkg/events/index.js';

/** A merchant of the fixture catalog. */
export interface FixtureMerchant {
  readonly id: string;
  readonly timezone: string;
  readonly weekStart: WeekStart;
  readonly currency: string;
  /** Category ids; each gets one product `p-<category>`; `parent` maps child -> parent. */
  readonly categories: readonly string[];
  readonly parent?: Readonly<Record<string, string>>;
}

/** Inserts merchants, categories (parents first) and one product per category. */
export async function seedCatalog(db: Queryable, merchants: readonly FixtureMerchant[]): Promise<void> {
  for (const m of merchants) {
    await db.query(
      `INSERT INTO ingestion.merchants (id, name, timezone, week_start, currency) VALUES ($1, $2, $3, $4, $5)`,
      [m.id, `Merchant ${m.id}`, m.timezone, m.weekStart, m.currency],
    );
    const parents = new Set(Object.values(m.parent ?? {}));
    const ordered = [...m.categories].sort((a, b) => Number(parents.has(b)) - Number(parents.has(a)));
    for (const c of ordered) {
      await db.query(
        `INSERT INTO ingestion.categories (merchant_id, id, name, parent_category_id) VALUES ($1, $2, $3, $4)`,
        [m.id, c, `Category ${c}`, m.parent?.[c] ?? null],
      );
      await db.query(
        `INSERT INTO ingestion.products (merchant_id, id, name, category_id) VALUES ($1, $2, $3, $4)`,
        [m.id, `p-${c}`, `Product of ${c}`, c],
      );
    }
  }
}

/** One line of a fixture order. */
export interface FixtureLine {
  readonly categoryId: string;
  readonly quantity: number;
  readonly unitPriceMinor: bigint;
}

/** Builds an order.created event (no database writes). */
export function orderEvent(
  m: FixtureMerchant,
  placedAt: string,
  lines: readonly FixtureLine[],
  occurredAt = new Date().toISOString(),
): OrderCreatedV1 {
  const items = lines.map((l) => ({
    productId: `p-${l.categoryId}`,
    categoryId: l.categoryId,
    quantity: l.quantity,
    amountMinor: (l.unitPriceMinor * BigInt(l.quantity)).toString(),
  }));
  return {
    eventId: randomUUID(),
    eventType: 'order.created',
    schemaVersion: 1,
    occurredAt,
    merchantId: m.id,
    merchantTimezone: m.timezone,
    merchantWeekStart: m.weekStart,
    orderId: randomUUID(),
    externalOrderId: `ext-${randomUUID()}`,
    placedAt: new Date(placedAt).toISOString(),
    currency: m.currency,
    totalMinor: items.reduce((s, i) => s + BigInt(i.amountMinor), 0n).toString(),
    items,
  };
}

/** Writes the orders, their items and their outbox rows for `events`, as the ingest service would. */
export async function storeOrders(db: Queryable, events: readonly OrderCreatedV1[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(
    `INSERT INTO ingestion.orders (id, merchant_id, external_order_id, placed_at, currency, total_minor, item_count, content_hash)
     SELECT u.*, 'fixture' FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::bigint[], $7::int[]) AS u`,
    [
      events.map((e) => e.orderId),
      events.map((e) => e.merchantId),
      events.map((e) => e.externalOrderId),
      events.map((e) => e.placedAt),
      events.map((e) => e.currency),
      events.map((e) => e.totalMinor),
      events.map((e) => e.items.length),
    ],
  );
  const lines = events.flatMap((e) => e.items.map((item, i) => ({ e, item, lineNo: i + 1 })));
  await db.query(
    `INSERT INTO ingestion.order_items (order_id, line_no, merchant_id, product_id, category_id, quantity, unit_price_minor, amount_minor)
     SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[], $8::bigint[])`,
    [
      lines.map((l) => l.e.orderId),
      lines.map((l) => l.lineNo),
      lines.map((l) => l.e.merchantId),
      lines.map((l) => l.item.productId),
      lines.map((l) => l.item.categoryId),
      lines.map((l) => l.item.quantity),
      lines.map((l) => (BigInt(l.item.amountMinor) / BigInt(l.item.quantity)).toString()),
      lines.map((l) => l.item.amountMinor),
    ],
  );
  await db.query(
    `INSERT INTO ingestion.order_events (id, order_id, merchant_id, event_type, schema_version, partition_key, payload)
     SELECT u.id, u.order_id, u.merchant_id, 'order.created', 1, u.merchant_id, u.payload
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[]) AS u (id, order_id, merchant_id, payload)`,
    [
      events.map((e) => e.eventId),
      events.map((e) => e.orderId),
      events.map((e) => e.merchantId),
      events.map((e) => JSON.stringify(e)),
    ],
  );
}

let offset = 0;
/** Wraps a payload (object, raw string or null) as a bus message of order-events. */
export function asMessage(value: unknown, partition = 0): IncomingMessage {
  return {
    topic: 'order-events',
    partition,
    offset: String(offset++),
    key:
      typeof value === 'object' && value !== null && 'merchantId' in value ? String(value.merchantId) : null,
    value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: { ce_type: 'order.created' },
    timestamp: Date.now(),
  };
}

/** Deterministic pseudo-random generator (mulberry32) so a failing run can be repeated. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random orders over the merchants' categories, placed between `from` and `to` (ISO instants). */
export function randomOrders(
  merchants: readonly FixtureMerchant[],
  count: number,
  from: string,
  to: string,
  rand: () => number,
): OrderCreatedV1[] {
  const t0 = Date.parse(from);
  const span = Date.parse(to) - t0;
  const out: OrderCreatedV1[] = [];
  for (let i = 0; i < count; i++) {
    const m = merchants[Math.floor(rand() * merchants.length)]!;
    const lines: FixtureLine[] = [];
    const n = 1 + Math.floor(rand() * 3);
    for (let j = 0; j < n; j++) {
      lines.push({
        categoryId: m.categories[Math.floor(rand() * m.categories.length)]!,
        quantity: 1 + Math.floor(rand() * 4),
        unitPriceMinor: BigInt(1 + Math.floor(rand() * 50_000)),
      });
    }
    out.push(orderEvent(m, new Date(t0 + Math.floor(rand() * span)).toISOString(), lines));
  }
  return out;
}
