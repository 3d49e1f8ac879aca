import { HEADERS, type OutgoingMessage } from '../events/index.js';

/** CloudEvents `source` of every event catcast publishes. */
export const EVENT_SOURCE = '/catcast/ingest';

/** An outbox row as the relay reads it (payload kept as JSON text: no parse/stringify round trip). */
export interface OutboxRow {
  readonly id: string;
  readonly order_id: string;
  readonly merchant_id: string;
  readonly event_type: string;
  readonly schema_version: number;
  readonly partition_key: string;
  readonly payload: string;
  readonly traceparent: string | null;
  readonly created_at: Date;
}

/** Maps an outbox row to the bus message: key = partition key, value = payload JSON, CloudEvents headers. */
export function toOutgoingMessage(row: OutboxRow): OutgoingMessage {
  const headers: Record<string, string> = {
    [HEADERS.id]: row.id,
    [HEADERS.type]: row.event_type,
    [HEADERS.specversion]: '1.0',
    [HEADERS.source]: EVENT_SOURCE,
    [HEADERS.time]: row.created_at.toISOString(),
    [HEADERS.subject]: row.order_id,
    [HEADERS.schemaVersion]: String(row.schema_version),
    [HEADERS.contentType]: 'application/json',
  };
  if (row.traceparent) headers[HEADERS.traceparent] = row.traceparent;
  return { key: row.partition_key, value: Buffer.from(row.payload, 'utf8'), headers };
}
