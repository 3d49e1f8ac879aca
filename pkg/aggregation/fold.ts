import { BUCKET_TYPES, isTimeZone, type BucketType } from '../buckets/index.js';
import { memoBucketStarts } from './bucket-memo.js';
import {
  decodeOrderCreated,
  EventSchemaError,
  type IncomingMessage,
  type OrderCreatedV1,
} from '../events/index.js';

/** Largest value a Postgres bigint holds; larger amounts cannot be stored and are rejected. */
export const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** A message the aggregator cannot apply, with the reason that goes into the DLQ header. */
export interface RejectedMessage {
  readonly message: IncomingMessage;
  readonly reason: string;
  /** Short machine-readable kind, used as a metric label. */
  readonly kind: 'schema' | 'unknown-catalog' | 'unapplicable';
}

/** The fields of an order.created event that aggregation reads (what a batch keeps per event). */
export interface FoldableEvent {
  readonly eventId: string;
  readonly occurredAt: string;
  readonly merchantId: string;
  readonly merchantTimezone: string;
  readonly merchantWeekStart: OrderCreatedV1['merchantWeekStart'];
  readonly placedAt: string;
  readonly items: readonly Pick<OrderCreatedV1['items'][number], 'categoryId' | 'quantity' | 'amountMinor'>[];
}

/** A decoded event together with the message it came from. */
export interface DecodedEvent {
  readonly event: FoldableEvent;
  readonly message: IncomingMessage;
}

// A batch holds its events across three database round trips, so they outlive V8's young
// generation and are promoted with the batch: keeping only the folded fields (not the whole parsed
// payload with product ids, order ids, currency...) roughly halves what each event leaves in old space.
function foldable(event: OrderCreatedV1, eventId: string): FoldableEvent {
  return {
    eventId,
    occurredAt: event.occurredAt,
    merchantId: event.merchantId,
    merchantTimezone: event.merchantTimezone,
    merchantWeekStart: event.merchantWeekStart,
    placedAt: event.placedAt,
    items: event.items.map((i) => ({
      categoryId: i.categoryId,
      quantity: i.quantity,
      amountMinor: i.amountMinor,
    })),
  };
}

/** Result of {@link decodeBatch}: valid events (deduplicated by event id) and rejected messages. */
export interface DecodedBatch {
  readonly events: readonly DecodedEvent[];
  readonly rejected: readonly RejectedMessage[];
  /** Messages whose event id already occurred earlier in the same batch. */
  readonly inBatchDuplicates: number;
}

/** Decodes every message; invalid ones are collected with their reason, never thrown. */
export function decodeBatch(messages: readonly IncomingMessage[]): DecodedBatch {
  const events: DecodedEvent[] = [];
  const rejected: RejectedMessage[] = [];
  const seen = new Set<string>();
  let inBatchDuplicates = 0;
  for (const message of messages) {
    let event: OrderCreatedV1;
    try {
      event = decodeOrderCreated(message.value);
      checkApplicable(event);
    } catch (err) {
      if (!(err instanceof EventSchemaError)) throw err;
      rejected.push({ message, reason: err.message, kind: 'schema' });
      continue;
    }
    // Postgres prints uuids in lower case; normalising here keeps "same id, other case" one event.
    const id = event.eventId.toLowerCase();
    if (seen.has(id)) {
      inBatchDuplicates++;
      continue;
    }
    seen.add(id);
    events.push({ event: foldable(event, id), message });
  }
  return { events, rejected, inBatchDuplicates };
}

// Semantic checks the JSON Schema cannot express; a failure is a schema-level rejection.
function checkApplicable(event: OrderCreatedV1): void {
  if (!isTimeZone(event.merchantTimezone))
    throw new EventSchemaError(
      `merchantTimezone ${JSON.stringify(event.merchantTimezone)} is not a known IANA zone`,
    );
  for (const [i, item] of event.items.entries()) {
    if (BigInt(item.amountMinor) > MAX_BIGINT)
      throw new EventSchemaError(`items/${i}/amountMinor ${item.amountMinor} exceeds the bigint range`);
  }
  if (Number.isNaN(Date.parse(event.placedAt)) || Number.isNaN(Date.parse(event.occurredAt)))
    throw new EventSchemaError('placedAt or occurredAt is not a valid instant');
}

/** The aggregate key plus the amounts to add to it. */
export interface AggregateDelta {
  /** The business key joined by NUL; sorts exactly like comparing the four fields in turn. */
  readonly key: string;
  readonly merchantId: string;
  readonly categoryId: string;
  readonly bucketType: BucketType;
  readonly bucketStart: string;
  totalMinor: bigint;
  orderCount: number;
  itemCount: number;
  /** Newest occurredAt of the events folded into this delta. */
  lastEventAt: Date;
}

/** Per-merchant progress of a batch, for forecasting.aggregation_watermarks. */
export interface MerchantWatermark {
  readonly merchantId: string;
  lastEventCreatedAt: Date;
  lastEventPlacedAt: Date;
  eventsApplied: number;
}

/** The deltas and watermarks of a set of events, both sorted by key. */
export interface Fold {
  readonly deltas: AggregateDelta[];
  readonly watermarks: MerchantWatermark[];
}

// Code-unit comparison (not localeCompare): must be a total, stable order, identical in every process.
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Folds events into per-(merchant, category, bucket type, bucket start) deltas: amounts summed as
 * bigint, order_count = number of orders containing the category, item_count = sum of quantities.
 * Buckets use the merchant calendar carried by each event.
 */
export function foldEvents(events: readonly FoldableEvent[]): Fold {
  const deltas = new Map<string, AggregateDelta>();
  const marks = new Map<string, MerchantWatermark>();
  for (const event of events) {
    const occurredAt = new Date(event.occurredAt);
    const placedAt = new Date(event.placedAt);
    const starts = memoBucketStarts(placedAt, {
      timezone: event.merchantTimezone,
      weekStart: event.merchantWeekStart,
    });
    // Sum the order per category first so a category with several lines counts as one order.
    const perCategory = new Map<string, { amount: bigint; quantity: number }>();
    for (const item of event.items) {
      const acc = perCategory.get(item.categoryId);
      if (acc) {
        acc.amount += BigInt(item.amountMinor);
        acc.quantity += item.quantity;
      } else perCategory.set(item.categoryId, { amount: BigInt(item.amountMinor), quantity: item.quantity });
    }
    for (const [categoryId, { amount, quantity }] of perCategory) {
      for (const bucketType of BUCKET_TYPES) {
        const bucketStart = starts[bucketType];
        const key = `${event.merchantId}\u0000${categoryId}\u0000${bucketType}\u0000${bucketStart}`;
        const d = deltas.get(key);
        if (d) {
          d.totalMinor += amount;
          d.orderCount += 1;
          d.itemCount += quantity;
          if (occurredAt > d.lastEventAt) d.lastEventAt = occurredAt;
        } else {
          deltas.set(key, {
            key,
            merchantId: event.merchantId,
            categoryId,
            bucketType,
            bucketStart,
            totalMinor: amount,
            orderCount: 1,
            itemCount: quantity,
            lastEventAt: occurredAt,
          });
        }
      }
    }
    const m = marks.get(event.merchantId);
    if (m) {
      if (occurredAt > m.lastEventCreatedAt) m.lastEventCreatedAt = occurredAt;
      if (placedAt > m.lastEventPlacedAt) m.lastEventPlacedAt = placedAt;
      m.eventsApplied++;
    } else {
      marks.set(event.merchantId, {
        merchantId: event.merchantId,
        lastEventCreatedAt: occurredAt,
        lastEventPlacedAt: placedAt,
        eventsApplied: 1,
      });
    }
  }
  return {
    deltas: [...deltas.values()].sort((a, b) => cmp(a.key, b.key)),
    watermarks: [...marks.values()].sort((a, b) => cmp(a.merchantId, b.merchantId)),
  };
}
