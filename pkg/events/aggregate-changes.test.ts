import { describe, expect, it } from 'vitest';
import { decodeChanges, encodeChanges } from './aggregate-changes.js';

describe('change notifications', () => {
  it('round-trips periods through payloads below PostgreSQL’s 8,000-byte limit', () => {
    const periods = Array.from({ length: 3000 }, (_, i) => ({
      merchantId: `merchant-${i % 700}`,
      bucketType: ['DAY', 'WEEK', 'MONTH', 'YEAR'][i % 4]!,
      bucketStart: `2026-01-${String(1 + (i % 28)).padStart(2, '0')}`,
    }));
    const payloads = encodeChanges(periods);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    expect(payloads.flatMap(decodeChanges)).toEqual(periods);
  });

  it('sends nothing for no periods and skips malformed lines', () => {
    expect(encodeChanges([])).toEqual([]);
    expect(decodeChanges('m\tDAY\t2026-01-01\nbroken\nm\tDAY\t2026-01-02\textra')).toEqual([
      { merchantId: 'm', bucketType: 'DAY', bucketStart: '2026-01-01' },
    ]);
  });
});
