import { describe, expect, it } from 'vitest';
import { retentionProblem } from './retention.js';

const DAY = 86_400_000;

describe('retentionProblem', () => {
  it.each([
    // Kafka's defaults (7 d retention, 7 d segments) just fit the default 14-day window.
    [7 * DAY, 7 * DAY, 14, false],
    [3 * DAY, 1 * DAY, 4, false],
    [7 * DAY, 7 * DAY + 1, 14, true], // a segment rolled a millisecond later outlives the window
    [30 * DAY, 1 * DAY, 14, true],
    [-1, 7 * DAY, 365, true], // kept forever
  ])('retention.ms %i + segment.ms %i against %i days: problem %s', (retentionMs, segmentMs, days, bad) => {
    const problem = retentionProblem('order-events', { retentionMs, segmentMs }, days);
    expect(problem !== null).toBe(bad);
    if (problem) {
      expect(problem).toContain('order-events');
      expect(problem).toContain(`PROCESSED_EVENTS_RETENTION_DAYS=${days}`);
    }
  });
});
