import { describe, expect, it } from 'vitest';
import { HEADERS, type IncomingMessage } from '../events/index.js';
import { toDlqMessage } from '../dlq/index.js';
import { originalOf } from './dlq-replay.js';

describe('originalOf', () => {
  it('gives back exactly the message that was dead-lettered', () => {
    const original: IncomingMessage = {
      topic: 'order-events',
      partition: 4,
      offset: '17',
      key: 'shop-1',
      value: Buffer.from('{"eventId":"e1"}'),
      headers: { [HEADERS.id]: 'e1', [HEADERS.schemaVersion]: '1', traceparent: '00-abc-def-01' },
      timestamp: 0,
    };
    const dlq = toDlqMessage(original, 'unknown merchant shop-1');
    expect(dlq.headers[HEADERS.dlqReason]).toBe('unknown merchant shop-1');
    const back = originalOf({
      ...original,
      topic: 'order-events.dlq',
      headers: dlq.headers,
      value: dlq.value,
    });
    expect(back).toEqual({ key: 'shop-1', value: original.value, headers: original.headers });
  });

  it('keeps an empty key and value as empty, not as missing', () => {
    const m: IncomingMessage = {
      topic: 't',
      partition: 0,
      offset: '0',
      key: null,
      value: null,
      headers: {},
      timestamp: 0,
    };
    expect(originalOf(m)).toEqual({ key: '', value: Buffer.alloc(0), headers: {} });
  });
});
