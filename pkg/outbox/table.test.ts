import { describe, expect, it } from 'vitest';
import { appendOutboxSql } from './table.js';

const row = {
  id: 'e.id',
  orderId: 'o.id',
  merchantId: 'o.merchant_id',
  payload: 'e.payload',
  traceparent: 'e.tp',
  from: 'o JOIN e ON e.order_id = o.id',
};

describe('appendOutboxSql', () => {
  it('writes every outbox column, partitioned by merchant unless told otherwise', () => {
    const sql = appendOutboxSql('order.created', 1, row).replace(/\s+/g, ' ');
    expect(sql).toBe(
      'INSERT INTO ingestion.order_events (id, order_id, merchant_id, event_type, schema_version, partition_key, payload, traceparent) ' +
        "SELECT e.id, o.id, o.merchant_id, 'order.created', 1, o.merchant_id, e.payload, e.tp FROM o JOIN e ON e.order_id = o.id",
    );
    expect(appendOutboxSql('order.created', 2, { ...row, partitionKey: 'o.id' })).toContain(
      "'order.created', 2, o.id, e.payload",
    );
  });

  it.each([
    ["order.created'; DROP TABLE x; --", 1],
    ['Order.Created', 1],
    ['order.created', 0],
    ['order.created', 1.5],
  ])('refuses event type %j with version %d', (type, version) => {
    expect(() => appendOutboxSql(type, version, row)).toThrow(RangeError);
  });
});
