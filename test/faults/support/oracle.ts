/**
 * The exactness oracle: the one closing check of every fault scenario and of dev-crash.
 *
 * It judges the pipeline by what the CLIENT was told and by an independent recomputation, never by the
 * pipeline's own counters:
 *   (a) every order the client got a 201/200 for is stored exactly once, with the items and total it
 *       sent; no order the client was refused (4xx) is stored; an order stored without an answer the
 *       client saw is allowed only when its last answer was unknown (5xx or no answer);
 *   (b) every stored order has exactly one outbox event and that event was applied exactly once
 *       (forecasting.processed_events), nothing in flight;
 *   (c) forecasting.category_sales_agg equals a recomputation from ingestion.* done here in TypeScript
 *       (its own civil-date and week arithmetic with Intl, not pkg/buckets nor reconcile's SQL) for
 *       every bucket type, DAY, WEEK, MONTH and YEAR, in each merchant's zone and week start.
 */
import type { Queryable } from '../../../pkg/db/index.js';
import type { OutcomeEvent, SimOrder } from '../../../pkg/simulator/index.js';

/** What the client knows about one valid order it sent. */
interface ClientOrder {
  readonly merchantId: string;
  readonly externalOrderId: string;
  readonly totalMinor: bigint;
  readonly lines: number;
  /** The last HTTP status (or "network") the client got for it. */
  status: number | 'network';
  /** Whether any answer for it was a 201/200. */
  acked: boolean;
}

function key(merchantId: string, externalOrderId: string): string {
  return `${merchantId}\u0000${externalOrderId}`;
}

/** The sum the client asked for, in minor units (unit prices are decimal strings with the currency's decimals). */
function clientTotal(order: SimOrder): bigint {
  let total = 0n;
  for (const item of order.items) total += BigInt(item.unitPrice.replace('.', '')) * BigInt(item.quantity);
  return total;
}

/**
 * The load generator's record of every answer: which orders it was acknowledged for (201 or 200),
 * which it was refused, and which it never got a verdict for. Feed it every outcome (all phases).
 */
export class ClientLedger {
  readonly #orders = new Map<string, ClientOrder>();
  readonly #invalid = new Map<string, number | 'network'>();

  /** Records one final answer of the simulator. */
  record(e: OutcomeEvent): void {
    const k = key(e.order.merchantId, e.order.externalOrderId);
    const ok = typeof e.status === 'number' && e.status >= 200 && e.status < 300;
    if (e.kind === 'invalid') {
      this.#invalid.set(k, e.status);
      return;
    }
    const known = this.#orders.get(k);
    if (known) {
      known.status = e.status;
      known.acked ||= ok;
      return;
    }
    this.#orders.set(k, {
      merchantId: e.order.merchantId,
      externalOrderId: e.order.externalOrderId,
      totalMinor: clientTotal(e.order),
      lines: e.order.items.length,
      status: e.status,
      acked: ok,
    });
  }

  /** Records an order sent outside the simulator (e.g. a probe) and the answer it got. */
  recordOrder(order: SimOrder, status: number | 'network'): void {
    this.record({ order, kind: 'new', phase: 'live', status, at: Date.now() });
  }

  /** Orders acknowledged with 201/200. */
  get acked(): number {
    let n = 0;
    for (const o of this.#orders.values()) if (o.acked) n++;
    return n;
  }

  /** Merchants this client sent orders for. */
  merchants(): string[] {
    return [...new Set([...this.#orders.values()].map((o) => o.merchantId))].sort();
  }

  /** Every valid order sent, by key. */
  orders(): ReadonlyMap<string, Readonly<ClientOrder>> {
    return this.#orders;
  }

  /** Deliberately invalid orders sent, by key, with their last answer. */
  invalid(): ReadonlyMap<string, number | 'network'> {
    return this.#invalid;
  }
}

/** What the oracle measured (shown in docs/reliability.md). */
export interface OracleReport {
  /** Orders the client was acknowledged for (201/200). */
  readonly acked: number;
  /** Orders stored for the client's merchants. */
  readonly stored: number;
  /** Orders stored whose last answer was unknown (5xx / no answer): the client could not know. */
  readonly storedWithUnknownAnswer: number;
  /** Events applied (processed_events) for the stored orders. */
  readonly eventsApplied: number;
  /** Aggregate rows compared, by bucket type. */
  readonly aggregateRows: Readonly<Record<string, number>>;
}

/** A violation of exactness; the message lists the first offenders. */
export class OracleViolation extends Error {
  override name = 'OracleViolation';
}

const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The civil date (YYYY-MM-DD) of `instant` in `timeZone`, by Intl (the platform's tz database). */
function civilDate(instant: Date, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(instant);
}

function bucketStarts(date: string, weekStart: string): [string, string][] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  const back = (day.getUTCDay() - WEEKDAYS.indexOf(weekStart) + 7) % 7;
  const week = new Date(day.getTime() - back * 86_400_000).toISOString().slice(0, 10);
  return [
    ['DAY', date],
    ['WEEK', week],
    ['MONTH', `${date.slice(0, 7)}-01`],
    ['YEAR', `${date.slice(0, 4)}-01-01`],
  ];
}

function fail(what: string, offenders: readonly unknown[]): never {
  const shown = offenders
    .slice(0, 10)
    .map((o) => JSON.stringify(o, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  throw new OracleViolation(
    `${what}: ${offenders.length} offender(s)${shown.length ? `, e.g.\n  ${shown.join('\n  ')}` : ''}`,
  );
}

/**
 * Runs the three checks for the merchants the ledgers sent orders to (plus `extraMerchants`, whose
 * orders take part in (b) and (c) only). Throws an {@link OracleViolation} naming what broke.
 * Call it once the pipeline has converged: an event not yet applied is a violation.
 */
export async function checkExactness(
  db: Queryable,
  ledgers: ClientLedger | readonly ClientLedger[],
  options: { extraMerchants?: readonly string[] } = {},
): Promise<OracleReport> {
  const all = Array.isArray(ledgers) ? (ledgers as readonly ClientLedger[]) : [ledgers as ClientLedger];
  const client = new Map<string, Readonly<ClientOrder>>();
  const invalid = new Map<string, number | 'network'>();
  for (const l of all) {
    for (const [k, o] of l.orders()) {
      const seen = client.get(k);
      client.set(k, seen ? { ...o, acked: seen.acked || o.acked } : o);
    }
    for (const [k, s] of l.invalid()) invalid.set(k, s);
  }
  const merchants = [...new Set([...all.flatMap((l) => l.merchants()), ...(options.extraMerchants ?? [])])];

  // (a) what the client was told vs what is stored.
  const { rows: stored } = await db.query<{
    id: string;
    merchant_id: string;
    external_order_id: string;
    total_minor: string;
    item_count: number;
    items: string;
    items_total: string | null;
    events: string;
    applied: string;
  }>(
    // Hash joins over per-order aggregates (not a correlated subquery per order: tens of thousands of orders).
    `WITH i AS (SELECT order_id, count(*) AS n, sum(amount_minor) AS total
                  FROM ingestion.order_items WHERE merchant_id = ANY ($1::text[]) GROUP BY order_id),
          e AS (SELECT e.order_id, count(*) AS n, count(p.event_id) AS applied
                  FROM ingestion.order_events e
                  LEFT JOIN forecasting.processed_events p ON p.event_id = e.id
                 WHERE e.merchant_id = ANY ($1::text[]) GROUP BY e.order_id)
     SELECT o.id, o.merchant_id, o.external_order_id, o.total_minor::text, o.item_count,
            coalesce(i.n, 0) AS items, i.total::text AS items_total,
            coalesce(e.n, 0) AS events, coalesce(e.applied, 0) AS applied
       FROM ingestion.orders o
       LEFT JOIN i ON i.order_id = o.id
       LEFT JOIN e ON e.order_id = o.id
      WHERE o.merchant_id = ANY ($1::text[])`,
    [merchants],
  );
  const storedByKey = new Map<string, (typeof stored)[number][]>();
  for (const r of stored) {
    const k = key(r.merchant_id, r.external_order_id);
    storedByKey.set(k, [...(storedByKey.get(k) ?? []), r]);
  }
  const lost: unknown[] = [];
  const wrong: unknown[] = [];
  let acked = 0;
  for (const [k, o] of client) {
    if (!o.acked) continue;
    acked++;
    const rows = storedByKey.get(k) ?? [];
    if (rows.length !== 1) {
      lost.push({ merchantId: o.merchantId, externalOrderId: o.externalOrderId, stored: rows.length });
      continue;
    }
    const r = rows[0]!;
    if (BigInt(r.total_minor) !== o.totalMinor || r.item_count !== o.lines || Number(r.items) !== o.lines)
      wrong.push({
        externalOrderId: o.externalOrderId,
        sent: { totalMinor: o.totalMinor, lines: o.lines },
        stored: { totalMinor: r.total_minor, itemCount: r.item_count, itemRows: r.items },
      });
  }
  if (lost.length) fail('orders the client got a 201/200 for are not stored exactly once', lost);
  if (wrong.length) fail('acknowledged orders stored with other items or total than sent', wrong);
  const unexplained: unknown[] = [];
  let unknownAnswer = 0;
  for (const [k, rows] of storedByKey) {
    const o = client.get(k);
    if (invalid.has(k))
      unexplained.push({ key: k, storedDespite: `invalid order answered ${invalid.get(k)}` });
    else if (!o)
      continue; // another writer's order (extraMerchants): judged by (b) and (c) only
    else if (!o.acked) {
      if (o.status === 'network' || (typeof o.status === 'number' && o.status >= 500)) unknownAnswer++;
      else
        unexplained.push({ externalOrderId: o.externalOrderId, storedDespite: o.status, rows: rows.length });
    }
  }
  if (unexplained.length) fail('orders stored although the client was refused them', unexplained);

  // (b) one event per stored order, applied exactly once; the order's own rows are consistent.
  const eventless: unknown[] = [];
  let eventsApplied = 0;
  for (const r of stored) {
    eventsApplied += Number(r.applied);
    if (Number(r.events) !== 1 || Number(r.applied) !== 1 || Number(r.items) !== r.item_count)
      eventless.push({
        orderId: r.id,
        events: Number(r.events),
        applied: Number(r.applied),
        itemRows: Number(r.items),
        itemCount: r.item_count,
      });
    else if (r.items_total !== r.total_minor)
      eventless.push({ orderId: r.id, totalMinor: r.total_minor, itemsTotal: r.items_total });
  }
  if (eventless.length)
    fail(
      'stored orders without exactly one outbox event applied exactly once (or with partial items)',
      eventless,
    );

  // (c) the aggregates vs an independent recomputation from ingestion.*.
  const { rows: lines } = await db.query<{
    order_id: string;
    merchant_id: string;
    category_id: string;
    amount: string;
    quantity: number;
    placed_at: Date;
    timezone: string;
    week_start: string;
  }>(
    `SELECT i.order_id, i.merchant_id, i.category_id, i.amount_minor::text AS amount, i.quantity,
            o.placed_at, m.timezone, m.week_start
       FROM ingestion.order_items i
       JOIN ingestion.orders o ON o.id = i.order_id
       JOIN ingestion.merchants m ON m.id = o.merchant_id
      WHERE i.merchant_id = ANY ($1::text[])`,
    [merchants],
  );
  const expected = new Map<string, { total: bigint; orders: Set<string>; items: bigint }>();
  for (const l of lines) {
    const date = civilDate(l.placed_at, l.timezone);
    for (const [type, start] of bucketStarts(date, l.week_start)) {
      const k = `${l.merchant_id}|${l.category_id}|${type}|${start}`;
      let e = expected.get(k);
      if (!e) expected.set(k, (e = { total: 0n, orders: new Set(), items: 0n }));
      e.total += BigInt(l.amount);
      e.orders.add(l.order_id);
      e.items += BigInt(l.quantity);
    }
  }
  const { rows: agg } = await db.query<{
    merchant_id: string;
    category_id: string;
    bucket_type: string;
    bucket_start: string;
    total: string;
    orders: string;
    items: string;
  }>(
    `SELECT merchant_id, category_id, bucket_type, to_char(bucket_start, 'YYYY-MM-DD') AS bucket_start,
            total_sales_minor::text AS total, order_count::text AS orders, item_count::text AS items
       FROM forecasting.category_sales_agg
      WHERE merchant_id = ANY ($1::text[])`,
    [merchants],
  );
  const drift: unknown[] = [];
  const rowsByType: Record<string, number> = { DAY: 0, WEEK: 0, MONTH: 0, YEAR: 0 };
  const seen = new Set<string>();
  for (const a of agg) {
    const k = `${a.merchant_id}|${a.category_id}|${a.bucket_type}|${a.bucket_start}`;
    seen.add(k);
    const e = expected.get(k);
    const actual = { total: a.total, orders: a.orders, items: a.items };
    if (!e) {
      if (actual.total !== '0' || actual.orders !== '0' || actual.items !== '0')
        drift.push({ bucket: k, expected: null, actual });
      continue;
    }
    rowsByType[a.bucket_type] = (rowsByType[a.bucket_type] ?? 0) + 1;
    const want = { total: String(e.total), orders: String(e.orders.size), items: String(e.items) };
    if (want.total !== actual.total || want.orders !== actual.orders || want.items !== actual.items)
      drift.push({ bucket: k, expected: want, actual });
  }
  for (const [k, e] of expected)
    if (!seen.has(k))
      drift.push({
        bucket: k,
        expected: { total: e.total, orders: e.orders.size, items: e.items },
        actual: null,
      });
  if (drift.length) fail('aggregates differ from the recomputation from ingestion.*', drift);
  for (const type of ['DAY', 'WEEK', 'MONTH', 'YEAR'])
    if (stored.length > 0 && !rowsByType[type]) fail(`no ${type} aggregate compared`, [type]);

  return {
    acked,
    stored: stored.length,
    storedWithUnknownAnswer: unknownAnswer,
    eventsApplied,
    aggregateRows: rowsByType,
  };
}

/** One line for a scenario's check list. */
export function describeOracle(r: OracleReport): string {
  const rows = Object.entries(r.aggregateRows)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  return (
    `oracle: all ${r.acked} orders the client got a 201/200 for stored exactly once with the items sent` +
    (r.storedWithUnknownAnswer
      ? ` (+${r.storedWithUnknownAnswer} stored whose answer the client never saw)`
      : '') +
    `; ${r.eventsApplied} events applied exactly once, none in flight; aggregates == independent recomputation (${rows} rows)`
  );
}
