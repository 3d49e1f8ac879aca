/**
 * The outbox table: order events written in the transaction of the order they describe and published
 * to the bus by the relay (pkg/relay). This module is the one place that knows its channel and columns.
 */

/** The table of outbox rows. */
export const OUTBOX_TABLE = 'ingestion.order_events';

/** Channel the relay LISTENs on and the writers NOTIFY (see notifier.ts) after outbox rows commit. */
export const OUTBOX_CHANNEL = 'catcast_outbox';

/** One outbox row, each field an SQL expression over the `from` clause of {@link appendOutboxSql}. */
export interface OutboxAppend {
  /** Event id (uuid). */
  readonly id: string;
  /** Id of the order the event describes (uuid). */
  readonly orderId: string;
  readonly merchantId: string;
  /** Bus partition key. @default the merchant id, so one merchant's events keep their order */
  readonly partitionKey?: string;
  /** The event body (jsonb). */
  readonly payload: string;
  /** W3C traceparent of the request that wrote the row (text, may be NULL). */
  readonly traceparent: string;
  /** What the expressions read from: `FROM` and its joins, without the keyword. */
  readonly from: string;
}

const EVENT_TYPE = /^[a-z]+(?:\.[a-z]+)*$/;

/**
 * The INSERT that appends outbox rows of one event type and schema version, as a statement or a
 * data-modifying CTE body: `INSERT INTO ingestion.order_events (...) SELECT ... FROM <from>`.
 */
export function appendOutboxSql(eventType: string, schemaVersion: number, row: OutboxAppend): string {
  if (!EVENT_TYPE.test(eventType))
    throw new RangeError(`event type must be dotted lowercase words, got ${eventType}`);
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1) {
    throw new RangeError(`schema version must be a positive integer, got ${schemaVersion}`);
  }
  const { id, orderId, merchantId, partitionKey = merchantId, payload, traceparent, from } = row;
  return `INSERT INTO ${OUTBOX_TABLE}
    (id, order_id, merchant_id, event_type, schema_version, partition_key, payload, traceparent)
  SELECT ${id}, ${orderId}, ${merchantId}, '${eventType}', ${schemaVersion}, ${partitionKey}, ${payload}, ${traceparent}
    FROM ${from}`;
}
