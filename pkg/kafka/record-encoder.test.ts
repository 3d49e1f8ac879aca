import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  crc32c,
  createRecordEncoder,
  installFastRecordEncoder,
  type EncodedRecord,
  type RecordInput,
} from './record-encoder.js';

const require = createRequire(import.meta.url);
const original = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (
  r: RecordInput,
) => EncodedRecord & { buffer: Buffer };
const Encoder = require('kafkajs/src/protocol/encoder.js') as { prototype: object };
const fast = createRecordEncoder(Encoder, original);
const kafkajsCrc = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;

function bytes(encoded: EncodedRecord): Buffer {
  return Buffer.from(encoded.buf.subarray(0, encoded.offset));
}

const text = fc.string({ unit: 'binary', maxLength: 300 });
const bytesOrText = fc.oneof(
  text,
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
);

describe('createRecordEncoder', () => {
  it('writes the same bytes as kafkajs for any key, value, headers and deltas', () => {
    fc.assert(
      fc.property(
        fc.record({
          offsetDelta: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          timestampDelta: fc.oneof(fc.integer(), fc.integer({ min: -(2 ** 40), max: 2 ** 40 })),
          key: fc.oneof(fc.constant(null), bytesOrText),
          value: fc.oneof(fc.constant(null), bytesOrText, fc.string({ minLength: 200, maxLength: 5000 })),
          headers: fc.dictionary(text, fc.oneof(bytesOrText, fc.array(bytesOrText, { maxLength: 3 }))),
        }),
        (record) => {
          const got = fast(record);
          expect(Object.getPrototypeOf(got)).toBe(Encoder.prototype);
          expect(bytes(got)).toEqual(bytes(original(record)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('encodes a relay-shaped record like kafkajs', () => {
    const record = {
      offsetDelta: 499,
      timestampDelta: 0,
      key: 'bench-m-7',
      value: Buffer.from(JSON.stringify({ eventId: 'e', items: [{ a: 'ü€😀' }] })),
      headers: {
        ce_id: '0195b6a0-0000-7000-8000-000000000001',
        ce_type: 'order.created',
        'content-type': 'application/json',
      },
    };
    expect(bytes(fast(record))).toEqual(bytes(original(record)));
    expect((fast(record) as unknown as { buffer: Buffer }).buffer).toEqual(original(record).buffer);
  });

  it.each([
    ['a number key', { key: 5, value: 'v' }],
    ['an undefined header value', { key: 'k', value: 'v', headers: { h: undefined } }],
    ['a null header value', { key: 'k', value: 'v', headers: { h: null } }],
    ['a fractional timestamp delta', { key: 'k', value: 'v', timestampDelta: 1.5 }],
  ])('hands %s to the original encoder', (_name, record) => {
    const calls: RecordInput[] = [];
    const enc = createRecordEncoder(Encoder, (r) => {
      calls.push(r);
      return { buf: Buffer.alloc(0), offset: 0 };
    });
    enc(record);
    expect(calls).toEqual([record]);
  });
});

describe('crc32c', () => {
  it('computes the same checksum as kafkajs for any buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (a) => {
        expect(crc32c(Buffer.from(a))).toBe(kafkajsCrc(Buffer.from(a)));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['', 0],
    ['123456789', 0xe3069283],
  ])('crc32c(%j) = %d (the CRC-32C check value)', (input, expected) => {
    expect(crc32c(Buffer.from(input))).toBe(expected);
  });
});

describe('installFastRecordEncoder', () => {
  it('makes the produce request encode with the fast record encoder and checksum, same bytes', async () => {
    expect(installFastRecordEncoder()).toBe(true);
    expect(installFastRecordEncoder()).toBe(true);
    expect(require('kafkajs/src/protocol/recordBatch/record/v0/index.js')).not.toBe(original);
    expect(require('kafkajs/src/protocol/recordBatch/crc32C/index.js')).toBe(crc32c);
    const produce = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (o: object) => {
      encode(): Promise<{ buffer: Buffer }>;
    };
    const messages = [
      { key: 'm-1', value: Buffer.from('{"a":1}'), headers: { ce_id: 'x', ce_type: 'order.created' } },
      { key: 'm-2', value: Buffer.from('{"b":2}'), headers: { ce_id: 'y' } },
    ];
    const request = produce({
      acks: -1,
      timeout: 30_000,
      topicData: [{ topic: 't', partitions: [{ partition: 0, firstSequence: 0, messages }] }],
    });
    const encoded = (await request.encode()).buffer;
    // The record batch ends with the two records as kafkajs itself encodes them.
    const records = Buffer.concat(
      messages.map((m, i) => bytes(original({ ...m, offsetDelta: i, timestampDelta: 0 }))),
    );
    expect(encoded.subarray(encoded.length - records.length)).toEqual(records);
    // CRC over the batch from attributes to the end (Kafka's definition), as the header carries it.
    const crcAt = encoded.length - records.length - 4 - 4 - 8 - 8 - 8 - 2 - 4 - 2 - 4;
    expect(encoded.readUInt32BE(crcAt)).toBe(kafkajsCrc(encoded.subarray(crcAt + 4)));
  });
});
