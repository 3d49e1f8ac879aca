import type { IHeaders, KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { toIncomingMessage } from './subscriber.js';

function kafkaMessage(headers: IHeaders | undefined): KafkaMessage {
  return {
    key: Buffer.from('m-1'),
    value: Buffer.from('{}'),
    timestamp: '1700000000000',
    attributes: 0,
    offset: '42',
    size: 0,
    ...(headers ? { headers } : {}),
  } as KafkaMessage;
}

describe('toIncomingMessage', () => {
  it.each([
    ['buffer values', { ce_id: Buffer.from('e-1') }, { ce_id: 'e-1' }],
    ['string values', { ce_id: 'e-1' }, { ce_id: 'e-1' }],
    ['repeated headers (first wins)', { ce_id: [Buffer.from('a'), Buffer.from('b')] }, { ce_id: 'a' }],
    ['undefined values dropped', { ce_id: undefined }, {}],
    ['no headers', undefined, {}],
  ])('decodes %s', (_, headers, expected) => {
    const m = toIncomingMessage('t', 3, kafkaMessage(headers));
    expect(m.headers).toEqual(expected);
    expect(m.headers).toBe(m.headers); // decoded once
    expect({
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      key: m.key,
      timestamp: m.timestamp,
    }).toEqual({
      topic: 't',
      partition: 3,
      offset: '42',
      key: 'm-1',
      timestamp: 1700000000000,
    });
  });

  it('keeps the headers when serialised', () => {
    const m = toIncomingMessage('t', 0, kafkaMessage({ ce_id: Buffer.from('e-1') }));
    expect(JSON.parse(JSON.stringify(m))).toMatchObject({ offset: '42', headers: { ce_id: 'e-1' } });
  });
});
