import { isDataError } from '../db/index.js';
import { ORDER_CREATED, ORDER_CREATED_VERSION, type OrderCreatedV1 } from '../events/index.js';
import { systemClock, type Clock } from './clock.js';
import { prepareOrder, type PreparedOrder } from './prepare.js';
import { OrderRejection, type OrderFieldError, type RejectReason } from './rejection.js';
import {
  productKey,
  type CatalogSnapshot,
  type MerchantInfo,
  type NewOrder,
  type OrderCreatedTemplate,
  type OrderStore,
  type StoredOrder,
} from './store.js';
import { uuidv7 } from './uuid.js';
import { toOrderSummary, toOrderView, type OrderSummaryView, type OrderView } from './view.js';

/** Options of {@link createOrderService}. */
export interface OrderServiceOptions {
  readonly store: OrderStore;
  /** @default the wall clock */
  readonly clock?: Clock;
  /** W3C traceparent of the current request, stored with each outbox row. @default none */
  readonly traceparent?: () => string | undefined;
  /** How far in the future placedAt may be. @default 300 */
  readonly maxFutureSeconds?: number;
  /** Generates order and event ids. @default UUID v7 (time-ordered) */
  readonly newId?: () => string;
}

/** Outcome of one submitted order; `order` is the full order (single) or its summary (batch). */
export type SubmitResult<V = OrderView> =
  | { readonly outcome: 'created'; readonly order: V }
  | { readonly outcome: 'replayed'; readonly order: V }
  | { readonly outcome: 'rejected'; readonly rejection: OrderRejection };

/** Outcome of one entry of a batch: orders are summarised (no items) to keep big batches cheap. */
export type BatchResult = SubmitResult<OrderSummaryView>;

type Outcome =
  | { readonly outcome: 'created' | 'replayed'; readonly stored: StoredOrder }
  | { readonly outcome: 'rejected'; readonly rejection: OrderRejection };

/** Per-call options of {@link OrderService.submit}. */
export interface SubmitOptions {
  /**
   * Called with the merchant of each well-formed order before any database access; throwing refuses
   * it (the hook for merchant-scoped tokens). Single submit rethrows; a batch turns it into that
   * entry's rejection, using the error's `status` (default 403).
   */
  readonly authorize?: (merchantId: string) => void | Promise<void>;
}

/** Accepts orders idempotently: validate, resolve against the catalog, insert with the outbox event. */
export interface OrderService {
  submit(raw: unknown, options?: SubmitOptions): Promise<SubmitResult>;
  /**
   * Submits many orders; an order refused by the data (unknown product, conflict...) does not affect
   * the others. Results are in input order. Throws a 400 {@link OrderRejection} naming every bad field,
   * writing nothing, when any entry does not match the order schema.
   */
  submitBatch(raws: readonly unknown[], options?: SubmitOptions): Promise<BatchResult[]>;
  get(orderId: string): Promise<OrderView | undefined>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ATTEMPTS = 3;

interface Candidate {
  readonly index: number;
  readonly prefix: string;
  readonly order: PreparedOrder;
}

interface Resolved extends Candidate {
  readonly key: string;
  readonly merchant: MerchantInfo;
  readonly categories: readonly string[];
}

function externalKey(merchantId: string, externalOrderId: string): string {
  return `${merchantId}\u0000${externalOrderId}`;
}

function prefixed(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function sqlState(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : '';
}

function rejectionFromError(err: unknown, prefix: string): OrderRejection {
  const status = (err as { status?: unknown }).status;
  const code = typeof status === 'number' && status >= 400 && status < 500 ? status : 403;
  const message = err instanceof Error ? err.message : String(err);
  return new OrderRejection(code, code === 401 ? 'unauthorized' : 'forbidden', 'Not allowed', [
    { field: prefixed(prefix, 'merchantId'), message },
  ]);
}

/** Resolves a prepared order against the catalog: 404 unknown merchant, 422 for everything else. */
function resolve(c: Candidate, snapshot: CatalogSnapshot): Resolved | OrderRejection {
  const { order, prefix } = c;
  const merchant = snapshot.merchants.get(order.merchantId);
  if (!merchant) {
    return new OrderRejection(404, 'unknown_merchant', 'Unknown merchant', [
      { field: prefixed(prefix, 'merchantId'), message: `merchant ${order.merchantId} does not exist` },
    ]);
  }
  const errors: OrderFieldError[] = [];
  let reason: RejectReason | undefined;
  const categories: string[] = [];
  order.lines.forEach((line) => {
    const category = snapshot.productCategories.get(productKey(order.merchantId, line.productId));
    if (category === undefined) {
      // Same message for "no such product" and "another merchant's product": a token scoped to one
      // merchant must not learn which product ids other merchants use.
      errors.push({
        field: prefixed(prefix, `items.${line.lineNo - 1}.productId`),
        message: `product ${line.productId} is not in merchant ${order.merchantId}'s catalog`,
      });
      reason ??= 'unknown_product';
    } else categories.push(category);
  });
  if (order.currency !== merchant.currency) {
    errors.push({
      field: prefixed(prefix, 'currency'),
      message: `order currency ${order.currency} differs from merchant ${merchant.id}'s currency ${merchant.currency}`,
    });
    reason ??= 'currency_mismatch';
  }
  if (order.amountErrors.length > 0) {
    errors.push(...order.amountErrors);
    reason ??= order.amountReason ?? 'amount_precision';
  }
  if (errors.length > 0) {
    errors.sort((a, b) => a.field.localeCompare(b.field, 'en', { numeric: true }));
    return new OrderRejection(422, reason ?? 'unknown_product', 'Unprocessable order', errors);
  }
  return { ...c, key: externalKey(order.merchantId, order.externalOrderId), merchant, categories };
}

function conflict(prefix: string, existing: StoredOrder): OrderRejection {
  return new OrderRejection(
    409,
    'conflict',
    'Conflicting order',
    [
      {
        field: prefixed(prefix, 'externalOrderId'),
        message: `order ${existing.externalOrderId} of merchant ${existing.merchantId} already exists with different content`,
      },
    ],
    { extensions: { orderId: existing.id } },
  );
}

/** Creates the order service. */
export function createOrderService(options: OrderServiceOptions): OrderService {
  const {
    store,
    clock = systemClock,
    traceparent = () => undefined,
    maxFutureSeconds = 300,
    newId = () => uuidv7(),
  } = options;
  const maxFutureMs = maxFutureSeconds * 1000;

  function eventTemplate(order: PreparedOrder, id: string, eventId: string, now: Date): OrderCreatedTemplate {
    return {
      eventId,
      eventType: ORDER_CREATED,
      schemaVersion: ORDER_CREATED_VERSION,
      occurredAt: now.toISOString(),
      merchantId: order.merchantId,
      orderId: id,
      externalOrderId: order.externalOrderId,
      placedAt: order.placedAt.toISOString(),
      currency: order.currency,
      totalMinor: order.totalMinor.toString(),
    };
  }

  function toNewOrder(r: Resolved, now: Date, trace: string | undefined): NewOrder {
    const { order, merchant } = r;
    const id = newId();
    const eventId = newId();
    const lines = order.lines.map((l, i) => ({ ...l, categoryId: r.categories[i]! }));
    const payload: OrderCreatedV1 = {
      ...eventTemplate(order, id, eventId, now),
      merchantTimezone: merchant.timezone,
      merchantWeekStart: merchant.weekStart,
      items: lines.map((l) => ({
        productId: l.productId,
        categoryId: l.categoryId,
        quantity: l.quantity,
        amountMinor: l.amountMinor.toString(),
      })),
    };
    return {
      id,
      merchantId: order.merchantId,
      externalOrderId: order.externalOrderId,
      placedAt: order.placedAt,
      currency: order.currency,
      totalMinor: order.totalMinor,
      contentHash: order.contentHash,
      lines,
      eventId,
      eventPayload: payload,
      traceparent: trace,
    };
  }

  /** Retries deadlocks and serialization failures of one statement. */
  async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const code = sqlState(err);
        if ((code === '40P01' || code === '40001') && attempt < MAX_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  /** Answers an order whose (merchant, external id) already exists: replay (same content) or 409. */
  function againstExisting(c: Candidate, existing: StoredOrder | undefined): Outcome {
    if (!existing) {
      // Skipped by ON CONFLICT yet not found: only possible if the row vanished in between.
      throw new Error(
        `cannot find order ${c.order.externalOrderId} of merchant ${c.order.merchantId} after a conflict`,
      );
    }
    return existing.contentHash === c.order.contentHash
      ? { outcome: 'replayed', stored: existing }
      : { outcome: 'rejected', rejection: conflict(c.prefix, existing) };
  }

  /**
   * The single-order path: one statement checks the catalog and inserts (one round trip); a second
   * query only for replays and conflicts, and a lookup only when the amounts were already refused.
   */
  async function submitOne(c: Candidate, now: Date, trace: string | undefined): Promise<Outcome> {
    const { order } = c;
    const lookup = (): Promise<CatalogSnapshot> =>
      store.lookupCatalog(
        [order.merchantId],
        order.lines.map((l) => ({ merchantId: order.merchantId, productId: l.productId })),
      );
    if (order.amountErrors.length > 0) {
      const resolved = resolve(c, await lookup());
      if (resolved instanceof OrderRejection) return { outcome: 'rejected', rejection: resolved };
      throw new Error('an order with amount errors resolved without a rejection');
    }
    const id = newId();
    const eventId = newId();
    let result;
    try {
      result = await withRetry(() =>
        store.insertOne({
          id,
          merchantId: order.merchantId,
          externalOrderId: order.externalOrderId,
          placedAt: order.placedAt,
          currency: order.currency,
          totalMinor: order.totalMinor,
          contentHash: order.contentHash,
          lines: order.lines,
          eventId,
          eventTemplate: eventTemplate(order, id, eventId, now),
          traceparent: trace,
        }),
      );
    } catch (err) {
      if (!isDataError(err)) throw err;
      return { outcome: 'rejected', rejection: dbRejection(err, c.prefix) };
    }
    if (result.createdAt) {
      const lines = order.lines.map((l, i) => ({ ...l, categoryId: result.categories[i]! }));
      return {
        outcome: 'created',
        stored: { ...order, id, lines, createdAt: result.createdAt },
      };
    }
    const snapshot: CatalogSnapshot = {
      merchants: new Map(result.merchant ? [[order.merchantId, result.merchant]] : []),
      productCategories: new Map(
        order.lines.flatMap((l, i) => {
          const category = result.categories[i];
          return category ? [[productKey(order.merchantId, l.productId), category] as const] : [];
        }),
      ),
    };
    const resolved = resolve(c, snapshot);
    if (resolved instanceof OrderRejection) return { outcome: 'rejected', rejection: resolved };
    const [existing] = await store.findByExternalIds([
      { merchantId: order.merchantId, externalOrderId: order.externalOrderId },
    ]);
    return againstExisting(c, existing);
  }

  /** Inserts rows, retrying deadlocks; on a data error, falls back to one statement per order. */
  async function insert(
    rows: readonly NewOrder[],
    prefixes: ReadonlyMap<string, string>,
  ): Promise<{ inserted: Map<string, Date>; failed: Map<string, OrderRejection> }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return { inserted: await store.insertOrders(rows), failed: new Map() };
      } catch (err) {
        const code = sqlState(err);
        if ((code === '40P01' || code === '40001') && attempt < MAX_ATTEMPTS) continue;
        if (!isDataError(err)) throw err;
        if (rows.length === 1) {
          return {
            inserted: new Map(),
            failed: new Map([[rows[0]!.id, dbRejection(err, prefixes.get(rows[0]!.id) ?? '')]]),
          };
        }
        break;
      }
    }
    const inserted = new Map<string, Date>();
    const failed = new Map<string, OrderRejection>();
    for (const row of rows) {
      const one = await insert([row], prefixes);
      for (const [id, at] of one.inserted) inserted.set(id, at);
      for (const [id, rejection] of one.failed) failed.set(id, rejection);
    }
    return { inserted, failed };
  }

  function dbRejection(err: unknown, prefix: string): OrderRejection {
    const message = err instanceof Error ? err.message : String(err);
    return new OrderRejection(422, 'rejected_by_database', 'Unprocessable order', [
      { field: prefix || '(body)', message: `the database refused the order: ${message}` },
    ]);
  }

  async function process(
    raws: readonly unknown[],
    batch: boolean,
    submitOptions: SubmitOptions,
  ): Promise<Outcome[]> {
    const now = clock.now();
    const trace = traceparent();
    const results = new Array<Outcome | undefined>(raws.length);
    const reject = (index: number, rejection: OrderRejection) => {
      results[index] = { outcome: 'rejected', rejection };
    };

    const candidates: Candidate[] = [];
    for (let index = 0; index < raws.length; index++) {
      const prefix = batch ? `orders.${index}` : '';
      const prepared = prepareOrder(raws[index], { now, maxFutureMs, fieldPrefix: prefix });
      if (prepared instanceof OrderRejection) {
        reject(index, prepared);
        continue;
      }
      if (submitOptions.authorize) {
        try {
          await submitOptions.authorize(prepared.merchantId);
        } catch (err) {
          if (!batch) throw err;
          reject(index, rejectionFromError(err, prefix));
          continue;
        }
      }
      candidates.push({ index, prefix, order: prepared });
    }
    if (batch) {
      // An entry that does not match the request schema makes the body itself invalid: the whole
      // batch is refused with one 400 naming every such field, before anything is written. Entries
      // that are well-formed but refused by the data (unknown product, conflict...) stay per entry.
      const malformed = results.filter(
        (r): r is Extract<Outcome, { outcome: 'rejected' }> =>
          r?.outcome === 'rejected' && r.rejection.status === 400,
      );
      if (malformed.length > 0) {
        throw new OrderRejection(
          400,
          'invalid',
          'Invalid request',
          malformed.flatMap((r) => r.rejection.errors),
        );
      }
    }
    if (candidates.length === 0) return results as Outcome[];
    if (!batch) return [await submitOne(candidates[0]!, now, trace)];

    const merchantIds = [...new Set(candidates.map((c) => c.order.merchantId))];
    const productKeys = new Map<string, { merchantId: string; productId: string }>();
    for (const c of candidates) {
      for (const l of c.order.lines) {
        productKeys.set(productKey(c.order.merchantId, l.productId), {
          merchantId: c.order.merchantId,
          productId: l.productId,
        });
      }
    }
    const snapshot = await store.lookupCatalog(merchantIds, [...productKeys.values()]);

    // The first acceptable occurrence of a (merchant, external id) in the request is written; later
    // ones are answered like replays of it.
    const primaries = new Map<string, Resolved>();
    const followers: Resolved[] = [];
    for (const c of candidates) {
      const resolved = resolve(c, snapshot);
      if (resolved instanceof OrderRejection) reject(c.index, resolved);
      else if (primaries.has(resolved.key)) followers.push(resolved);
      else primaries.set(resolved.key, resolved);
    }
    if (primaries.size === 0) return results as Outcome[];

    // A stable insertion order (by key) keeps two concurrent overlapping batches from deadlocking.
    const ordered = [...primaries.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const rows = ordered.map((r) => toNewOrder(r, now, trace));
    const prefixes = new Map(rows.map((row, i) => [row.id, ordered[i]!.prefix]));
    const { inserted, failed } = await insert(rows, prefixes);

    const storedByKey = new Map<string, StoredOrder>();
    const failedByKey = new Map<string, OrderRejection>();
    const conflicted: { merchantId: string; externalOrderId: string }[] = [];
    rows.forEach((row, i) => {
      const r = ordered[i]!;
      const createdAt = inserted.get(row.id);
      const failure = failed.get(row.id);
      if (failure) {
        failedByKey.set(r.key, failure);
        reject(r.index, failure);
      } else if (createdAt) {
        const stored: StoredOrder = { ...row, createdAt };
        storedByKey.set(r.key, stored);
        results[r.index] = { outcome: 'created', stored };
      } else conflicted.push({ merchantId: row.merchantId, externalOrderId: row.externalOrderId });
    });

    if (conflicted.length > 0) {
      for (const existing of await store.findByExternalIds(conflicted)) {
        storedByKey.set(externalKey(existing.merchantId, existing.externalOrderId), existing);
      }
    }
    for (const r of [...ordered.filter((o) => results[o.index] === undefined), ...followers]) {
      const failure = failedByKey.get(r.key);
      results[r.index] = failure
        ? { outcome: 'rejected', rejection: failure }
        : againstExisting(r, storedByKey.get(r.key));
    }
    return results as Outcome[];
  }

  return {
    async submit(raw, submitOptions = {}) {
      const [result] = await process([raw], false, submitOptions);
      return result!.outcome === 'rejected'
        ? result!
        : { outcome: result!.outcome, order: toOrderView(result!.stored) };
    },
    async submitBatch(raws, submitOptions = {}) {
      const results = await process(raws, true, submitOptions);
      return results.map((r) =>
        r.outcome === 'rejected' ? r : { outcome: r.outcome, order: toOrderSummary(r.stored) },
      );
    },
    async get(orderId) {
      if (!UUID.test(orderId)) return undefined;
      const order = await store.getOrder(orderId.toLowerCase());
      return order ? toOrderView(order) : undefined;
    },
  };
}
