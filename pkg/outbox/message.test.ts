import { describe, expect, it } from 'vitest';
import { toOutgoingMessage, type OutboxRow } from './message.js';

const row: OutboxRow = {
  id: '0195b6a0-0000-7000-8000-000000000001',
  order_id: '0195b6a0-0000-7000-8000-0000000000aa',
  merchant_id: 'm-1',
  event_type: 'order.created',
  schema_version: 1,
  partition_key: 'm-1',
  payload: '{"a": 1}',
  traceparent: null,
  created_at: new Date('2026-11-25T10:00:00.123Z'),
};

describe('toOutgoingMessage', () => {
  it('maps a row to key, JSON bytes and CloudEvents headers', () => {
    const m = toOutgoingMessage(row);
    expect(m.key).toBe('m-1');
    expect(m.value.toString('utf8')).toBe('{"a": 1}');
    expect(m.headers).toEqual({
      ce_id: row.id,
      ce_type: 'order.created',
      ce_specversion: '1.0',
      ce_source: '/catcast/ingest',
      ce_time: '2026-11-25T10:00:00.123Z',
      ce_subject: row.order_id,
      catcast_schemaversion: '1',
      'content-type': 'application/json',
    });
  });

  it.each([
    [null, undefined],
    ['', undefined],
    [
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    ],
  ])('traceparent %j => header %j', (traceparent, header) => {
    expect(toOutgoingMessage({ ...row, traceparent }).headers.traceparent).toBe(header);
  });
});
