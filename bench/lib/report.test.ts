import { describe, expect, it } from 'vitest';
import { carryPeaks } from './report.js';

describe('carryPeaks', () => {
  it('stamps a peak measured by the previous run with that run, and keeps an older stamp as it is', () => {
    const previous = {
      generatedAt: '2026-12-07T08:09:30.000Z',
      peakRssMb: {
        'aggregator-api': { mb: 227, load: 'read mix at max rate' },
        ingest: { mb: 241, load: 'ingest max throughput; run of 2026-11-26T17:55', carried: true },
      },
    };
    const once = carryPeaks(previous);
    expect(once).toEqual({
      'aggregator-api': { mb: 227, load: 'read mix at max rate; run of 2026-12-07T08:09', carried: true },
      ingest: { mb: 241, load: 'ingest max throughput; run of 2026-11-26T17:55', carried: true },
    });
    // A later subset run carries them again: the stamps still name the runs that measured them.
    expect(carryPeaks({ generatedAt: '2026-12-08T10:00:00.000Z', peakRssMb: once })).toEqual(once);
  });
});
