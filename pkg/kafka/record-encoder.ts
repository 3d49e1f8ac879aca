import { createRequire } from 'node:module';

/**
 * A faster drop-in for kafkajs' record (v0, message format 2) encoder.
 *
 * kafkajs encodes each record through a fresh `Encoder` (a zero-filled 512-byte buffer), plus one
 * more `Encoder` per header, and every varint through `Buffer.from([...])`: for the relay's records
 * (a ~700-byte payload and eight CloudEvents headers) that was a third of the relay's CPU. This
 * encoder computes the record's exact size first and writes it into one buffer. Its output is
 * byte-for-byte what kafkajs writes (record-encoder.test.ts compares them); any input it does not
 * expect is handed to the original encoder.
 */

const require = createRequire(import.meta.url);
const RECORD_MODULE = 'kafkajs/src/protocol/recordBatch/record/v0/index.js';
const ENCODER_MODULE = 'kafkajs/src/protocol/encoder.js';
const PRODUCE_REQUEST_MODULE = 'kafkajs/src/protocol/requests/produce/v3/request.js';
const CRC32C_MODULE = 'kafkajs/src/protocol/recordBatch/crc32C/index.js';
const RECORD_BATCH_MODULE = 'kafkajs/src/protocol/recordBatch/v0/index.js';

/** What kafkajs' produce request passes to the record encoder. */
export interface RecordInput {
  readonly offsetDelta?: number;
  readonly timestampDelta?: number;
  readonly key?: unknown;
  readonly value?: unknown;
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly [other: string]: unknown;
}

/** The part of kafkajs' Encoder that the record batch encoder reads back. */
export interface EncodedRecord {
  buf: Buffer;
  offset: number;
}

type RecordEncoder = (record: RecordInput) => EncodedRecord;

/** Largest value whose zig-zag form stays an exact double (kafkajs would use a Long). */
const MAX_SAFE_ZIGZAG_INPUT = 2 ** 52;

function zigZag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function sizeOfUVarInt(z: number): number {
  let bytes = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 0x80);
    bytes++;
  }
  return bytes;
}

function writeUVarInt(buf: Buffer, offset: number, z: number): number {
  while (z >= 0x80) {
    buf[offset++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  buf[offset++] = z;
  return offset;
}

/** Byte length of a key/value/header value, -1 for null; undefined when this encoder cannot take it. */
function byteLengthOf(value: unknown): number | undefined {
  if (value == null) return -1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (Buffer.isBuffer(value)) return value.length;
  return undefined;
}

function writeBytes(buf: Buffer, offset: number, value: unknown, length: number): number {
  offset = writeUVarInt(buf, offset, zigZag(length));
  if (length <= 0) return offset;
  if (typeof value === 'string') buf.write(value, offset, length, 'utf8');
  else (value as Buffer).copy(buf, offset);
  return offset + length;
}

/**
 * Builds the fast record encoder on top of kafkajs' own `Encoder` class (the result must be one)
 * and its original record encoder (used for inputs this one does not handle).
 */
export function createRecordEncoder(
  EncoderClass: { prototype: object },
  original: RecordEncoder,
): RecordEncoder {
  // Reused between calls: the header list of one record (key, value byte length, value).
  const hKeys: string[] = [];
  const hKeyLens: number[] = [];
  const hValues: unknown[] = [];
  const hValueLens: number[] = [];
  return function encodeRecord(record: RecordInput): EncodedRecord {
    const { offsetDelta = 0, timestampDelta = 0, key, value, headers = {} } = record;
    const keyLen = byteLengthOf(key);
    const valueLen = byteLengthOf(value);
    if (
      keyLen === undefined ||
      valueLen === undefined ||
      !Number.isInteger(offsetDelta) ||
      !Number.isInteger(timestampDelta) ||
      Math.abs(timestampDelta) >= MAX_SAFE_ZIGZAG_INPUT ||
      offsetDelta < -(2 ** 31) ||
      offsetDelta >= 2 ** 31
    ) {
      return original(record);
    }
    let count = 0;
    let headersSize = 0;
    for (const hKey of Object.keys(headers)) {
      const raw = headers[hKey];
      const list: readonly unknown[] = Array.isArray(raw) ? raw : [raw];
      const kLen = Buffer.byteLength(hKey, 'utf8');
      for (const hValue of list) {
        // kafkajs cannot encode a null header value (it throws): the original keeps that behaviour.
        const vLen = hValue == null ? undefined : byteLengthOf(hValue);
        if (vLen === undefined) {
          hKeys.length = hValues.length = 0;
          return original(record);
        }
        hKeys[count] = hKey;
        hKeyLens[count] = kLen;
        hValues[count] = hValue;
        hValueLens[count] = vLen;
        headersSize += sizeOfUVarInt(zigZag(kLen)) + kLen + sizeOfUVarInt(zigZag(vLen)) + vLen;
        count++;
      }
    }
    const bodySize =
      1 +
      sizeOfUVarInt(zigZag(timestampDelta)) +
      sizeOfUVarInt(zigZag(offsetDelta)) +
      sizeOfUVarInt(zigZag(keyLen)) +
      Math.max(keyLen, 0) +
      sizeOfUVarInt(zigZag(valueLen)) +
      Math.max(valueLen, 0) +
      sizeOfUVarInt(zigZag(count)) +
      headersSize;
    const total = sizeOfUVarInt(zigZag(bodySize)) + bodySize;
    const buf = Buffer.allocUnsafe(total);
    let o = writeUVarInt(buf, 0, zigZag(bodySize));
    buf[o++] = 0; // attributes: none are used per record
    o = writeUVarInt(buf, o, zigZag(timestampDelta));
    o = writeUVarInt(buf, o, zigZag(offsetDelta));
    o = writeBytes(buf, o, key, keyLen);
    o = writeBytes(buf, o, value, valueLen);
    o = writeUVarInt(buf, o, zigZag(count));
    for (let i = 0; i < count; i++) {
      o = writeBytes(buf, o, hKeys[i], hKeyLens[i]!);
      o = writeBytes(buf, o, hValues[i], hValueLens[i]!);
    }
    hKeys.length = hValues.length = 0;
    if (o !== total) return original(record); // cannot happen; never send a malformed record
    const encoded = Object.create(EncoderClass.prototype) as EncodedRecord;
    encoded.buf = buf;
    encoded.offset = total;
    return encoded;
  };
}

/** CRC-32C (Castagnoli) tables for slicing by 8: TABLES[k * 256 + b]. */
const TABLES = (() => {
  const t = new Int32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[b] = c;
  }
  for (let b = 0; b < 256; b++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + b]!;
      t[k * 256 + b] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
})();

/**
 * CRC-32C of `buf` as an unsigned integer, eight bytes per step (kafkajs' byte-at-a-time loop was
 * the relay's hottest function after record encoding: every produced byte goes through it).
 */
export function crc32c(buf: Uint8Array): number {
  const t = TABLES;
  let crc = -1;
  let i = 0;
  const n = buf.length;
  for (const end = n - (n % 8); i < end; i += 8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + buf[i + 4]!]! ^
      t[512 + buf[i + 5]!]! ^
      t[256 + buf[i + 6]!]! ^
      t[buf[i + 7]!]!;
  }
  for (; i < n; i++) crc = t[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

let installed: boolean | undefined;

/**
 * Makes kafkajs encode produced records with {@link createRecordEncoder} and checksum record batches
 * with {@link crc32c} (once per process). It swaps the modules kafkajs' produce request loads on its
 * first produce, so it must run before the process produces anything; answers whether the fast
 * encoding is in use (false when a produce request was already loaded, in which case records keep
 * kafkajs' own, slower, encoding).
 */
export function installFastRecordEncoder(): boolean {
  if (installed !== undefined) return installed;
  if (require.cache[require.resolve(PRODUCE_REQUEST_MODULE)]) return (installed = false);
  const recordPath = require.resolve(RECORD_MODULE);
  const original = require(recordPath) as RecordEncoder;
  const EncoderClass = require(ENCODER_MODULE) as { prototype: object };
  const recordModule = require.cache[recordPath];
  if (!recordModule) return (installed = false);
  recordModule.exports = createRecordEncoder(EncoderClass, original);
  // The record batch module reads the checksum module when it loads (a consumer may have loaded it
  // already: then batches keep kafkajs' checksum, which gives the same value).
  if (!require.cache[require.resolve(RECORD_BATCH_MODULE)]) {
    const crcPath = require.resolve(CRC32C_MODULE);
    require(crcPath);
    const crcModule = require.cache[crcPath];
    if (crcModule) crcModule.exports = crc32c;
  }
  return (installed = true);
}
