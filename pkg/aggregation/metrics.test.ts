import { describe, expect, it } from 'vitest';
import { Registry } from '../metrics/index.js';
import { createAggregationMetrics } from './metrics.js';

async function value(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe('aggregation metrics', () => {
  it('reports freshness as now minus the newest applied event, never going backwards', async () => {
    let now = new Date('2026-11-26T10:00:00Z');
    const registry = new Registry();
    const metrics = createAggregationMetrics(registry, { now: () => now });
    metrics.noteApplied(new Date('2026-11-26T09:59:50Z'));
    metrics.noteApplied(new Date('2026-11-26T09:59:00Z')); // an older, late event
    expect(await value(registry, 'catcast_aggregation_freshness_seconds')).toBe(10);
    now = new Date('2026-11-26T10:01:00Z');
    expect(await value(registry, 'catcast_aggregation_freshness_seconds')).toBe(70);
  });

  it.each([
    [[], 0],
    [[{ partition: 0, lag: 5 }], 5],
    [
      [
        { partition: 0, lag: 5 },
        { partition: 1, lag: 0 },
        { partition: 2, lag: 7 },
      ],
      12,
    ],
  ])('sets the lag per partition and the total (%j)', async (lags, total) => {
    const registry = new Registry();
    const metrics = createAggregationMetrics(
      registry,
      { now: () => new Date() },
      { consumerGroup: 'g', topic: 't' },
    );
    metrics.setLag([{ partition: 9, lag: 100 }]);
    metrics.setLag(lags);
    expect(
      await value(registry, 'catcast_consumer_lag', { partition: 'total', consumer_group: 'g', topic: 't' }),
    ).toBe(total);
    expect(await value(registry, 'catcast_consumer_lag', { partition: '9' })).toBeUndefined();
    for (const { partition, lag } of lags)
      expect(await value(registry, 'catcast_consumer_lag', { partition: String(partition) })).toBe(lag);
  });
});
