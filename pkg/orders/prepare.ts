import { createHash } from 'node:crypto';
import type { ZodError } from 'zod';
import { MoneyError, parseAmount } from '../money/index.js';
import { OrderRejection, type OrderFieldError } from './rejection.js';
import { MAX_ITEMS_PER_ORDER, orderInputSchema, type OrderInput } from './schema.js';

/** Largest value of a Postgres bigint. */
export const MAX_MINOR = 2n ** 63n - 1n;
/**
 * Largest line amount and order total accepted, in minor units: 10^13 (100 billion of a currency
 * with cents, 10 trillion yen). Aggregates add orders up in bigint columns; with orders this size
 * a merchant's category would need over 900,000 of them in one year to overflow one, where a
 * per-order limit of the bigint maximum let two orders overflow it: the second was stored but its
 * event could never be applied (a DLQ entry reconcile could not repair). It also keeps every
 * total an exact JavaScript number in the forecast engine.
 */
export const MAX_ORDER_MINOR = 10n ** 13n;
/** Orders placed before this instant are refused (a typo, not a backfill). */
export const EARLIEST_PLACED_AT = new Date('1970-01-01T00:00:00Z');

/** One order line in minor units. */
export interface PreparedLine {
  readonly lineNo: number;
  readonly productId: string;
  readonly quantity: number;
  readonly unitPriceMinor: bigint;
  readonly amountMinor: bigint;
}

/** An order that passed every check that needs no database: amounts parsed, content hashed. */
export interface PreparedOrder {
  readonly merchantId: string;
  readonly externalOrderId: string;
  readonly placedAt: Date;
  /** False when placedAt was defaulted to now; a defaulted time is not part of the content hash. */
  readonly placedAtGiven: boolean;
  readonly currency: string;
  readonly lines: readonly PreparedLine[];
  readonly totalMinor: bigint;
  /** sha256 of the canonical content (see {@link contentHash}). */
  readonly contentHash: string;
  /** 422 errors found before the catalog lookup (decimals, overflow); reported after the 404 check. */
  readonly amountErrors: readonly OrderFieldError[];
  readonly amountReason?: 'amount_precision' | 'amount_overflow';
}

/** Options of {@link prepareOrder}. */
export interface PrepareOptions {
  /** The current time. */
  readonly now: Date;
  /** How far in the future placedAt may be, in ms. */
  readonly maxFutureMs: number;
  /** Prefix of field names (a batch uses "orders.3"). @default "" */
  readonly fieldPrefix?: string;
}

function field(prefix: string, path: readonly PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter((s) => s !== '').join('.') || '(body)';
}

function zodErrors(error: ZodError, prefix: string): OrderFieldError[] {
  return error.issues.map((issue) => ({ field: field(prefix, issue.path), message: issue.message }));
}

/** The content that identifies an order for idempotency, in a stable serialisation. */
export function canonicalContent(order: {
  merchantId: string;
  externalOrderId: string;
  placedAt: Date | null;
  currency: string;
  lines: readonly { productId: string; quantity: number; unitPriceMinor: bigint }[];
}): string {
  // Arrays, not objects: no key-order ambiguity. Amounts as minor units, so "19.9" and "19.90" agree;
  // instants normalised to UTC milliseconds, so "+02:00" and "Z" spellings of one instant agree.
  return JSON.stringify([
    'catcast.order.v1',
    order.merchantId,
    order.externalOrderId,
    order.placedAt ? order.placedAt.toISOString() : null,
    order.currency,
    order.lines.map((l) => [l.productId, l.quantity, l.unitPriceMinor.toString()]),
  ]);
}

/** sha256 (hex) of {@link canonicalContent}: equal for replays of the same order, different otherwise. */
export function contentHash(order: Parameters<typeof canonicalContent>[0]): string {
  return createHash('sha256').update(canonicalContent(order)).digest('hex');
}

/**
 * Validates a raw order request (zod shape, time window, amounts against the currency) and computes
 * its content hash; returns a 400 rejection naming every bad field, or the prepared order.
 */
export function prepareOrder(raw: unknown, options: PrepareOptions): PreparedOrder | OrderRejection {
  const prefix = options.fieldPrefix ?? '';
  // Refuse absurd item arrays before zod walks them element by element.
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const items = (raw as { items?: unknown }).items;
    if (Array.isArray(items) && items.length > MAX_ITEMS_PER_ORDER) {
      return new OrderRejection(400, 'invalid', 'Invalid order', [
        {
          field: field(prefix, ['items']),
          message: `must contain at most ${MAX_ITEMS_PER_ORDER} items (got ${items.length})`,
        },
      ]);
    }
  }
  const parsed = orderInputSchema.safeParse(raw);
  if (!parsed.success) {
    return new OrderRejection(400, 'invalid', 'Invalid order', zodErrors(parsed.error, prefix));
  }
  const input: OrderInput = parsed.data;
  let placedAt = options.now;
  if (input.placedAt !== undefined) {
    placedAt = new Date(input.placedAt);
    const problem = !Number.isFinite(placedAt.getTime())
      ? 'is not a valid date-time'
      : placedAt.getTime() > options.now.getTime() + options.maxFutureMs
        ? `is more than ${Math.round(options.maxFutureMs / 1000)} s in the future (now ${options.now.toISOString()})`
        : placedAt.getTime() < EARLIEST_PLACED_AT.getTime()
          ? `is before ${EARLIEST_PLACED_AT.toISOString()}`
          : undefined;
    if (problem) {
      // A well-formed date-time the document cannot rule out (it depends on the clock): 422, like
      // the other rules a schema cannot state; 400 stays "does not match the schema".
      return new OrderRejection(422, 'invalid', 'Unprocessable order', [
        { field: field(prefix, ['placedAt']), message: problem },
      ]);
    }
  }

  const amountErrors: OrderFieldError[] = [];
  let amountReason: PreparedOrder['amountReason'];
  const lines: PreparedLine[] = [];
  let totalMinor = 0n;
  input.items.forEach((item, i) => {
    let unitPriceMinor: bigint;
    try {
      unitPriceMinor = parseAmount(item.unitPrice, input.currency);
    } catch (err) {
      if (!(err instanceof MoneyError)) throw err;
      amountErrors.push({ field: field(prefix, ['items', i, 'unitPrice']), message: err.message });
      amountReason ??= 'amount_precision';
      return;
    }
    const amountMinor = unitPriceMinor * BigInt(item.quantity);
    if (amountMinor > MAX_ORDER_MINOR) {
      amountErrors.push({
        field: field(prefix, ['items', i, 'unitPrice']),
        message: `quantity x unitPrice exceeds the largest accepted amount (${MAX_ORDER_MINOR} minor units)`,
      });
      amountReason ??= 'amount_overflow';
      return;
    }
    totalMinor += amountMinor;
    lines.push({
      lineNo: i + 1,
      productId: item.productId,
      quantity: item.quantity,
      unitPriceMinor,
      amountMinor,
    });
  });
  if (amountErrors.length === 0 && totalMinor > MAX_ORDER_MINOR) {
    amountErrors.push({
      field: field(prefix, ['items']),
      message: `the order total exceeds the largest accepted amount (${MAX_ORDER_MINOR} minor units)`,
    });
    amountReason = 'amount_overflow';
  }

  const base = {
    merchantId: input.merchantId,
    externalOrderId: input.externalOrderId,
    currency: input.currency,
    lines,
  };
  return {
    ...base,
    placedAt,
    placedAtGiven: input.placedAt !== undefined,
    totalMinor,
    contentHash:
      amountErrors.length > 0
        ? ''
        : contentHash({ ...base, placedAt: input.placedAt !== undefined ? placedAt : null }),
    amountErrors,
    ...(amountReason ? { amountReason } : {}),
  };
}
