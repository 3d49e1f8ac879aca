import { Registry } from '../metrics/index.js';
import { describe, expect, it } from 'vitest';
import { registerConsumerLagMetrics, type ConsumerLag } from './lag.js';

const lag: ConsumerLag = {
  topic: 't',
  groupId: 'g',
  partitions: [
    { partition: 0, committed: '5', end: '9', lag: 4 },
    { partition: 1, committed: null, end: '3', lag: 3 },
  ],
  total: 7,
};

describe('registerConsumerLagMetrics', () => {
  it('exports per-partition and total lag read at scrape time', async () => {
    const registry = new Registry();
    registerConsumerLagMetrics(registry, { read: () => Promise.resolve(lag) });
    const text = await registry.metrics();
    expect(text).toContain('catcast_consumer_lag{partition="0",consumer_group="g",topic="t"} 4');
    expect(text).toContain('catcast_consumer_lag{partition="1",consumer_group="g",topic="t"} 3');
    expect(text).toContain('catcast_consumer_lag{partition="total",consumer_group="g",topic="t"} 7');
  });

  it.each([
    ['fails', () => Promise.reject(new Error('broker down'))],
    ['hangs', () => new Promise<ConsumerLag>(() => undefined)],
  ])('drops the series when Kafka %s, instead of repeating a stale value', async (_, failing) => {
    const registry = new Registry();
    let read: () => Promise<ConsumerLag> = () => Promise.resolve(lag);
    registerConsumerLagMetrics(registry, { read: () => read(), timeoutMs: 50 });
    expect(await registry.metrics()).toMatch(/partition="total"[^}]*} 7/);
    read = failing;
    expect(await registry.metrics()).not.toContain('partition="total"');
  });
});
