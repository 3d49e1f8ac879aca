import { randomUUID } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562): 48-bit Unix milliseconds, then random bits. Time-ordered ids keep
 * primary-key inserts at the right edge of the btree instead of touching a random page per row.
 */
export function uuidv7(nowMs: number = Date.now()): string {
  // Start from a native v4 UUID (fast, random, variant already 10xx) and overwrite the first 48 bits
  // with the timestamp and the version nibble with 7.
  const random = randomUUID();
  const ts = Math.floor(nowMs).toString(16).padStart(12, '0');
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${random.slice(15)}`;
}
