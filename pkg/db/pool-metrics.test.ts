import { Registry } from '../metrics/index.js';
import { describe, expect, it } from 'vitest';
import type { Pool } from './pool.js';
import { registerPoolMetrics } from './pool-metrics.js';

const fakePool = (total: number, idle: number, waiting: number, max: number) =>
  ({ totalCount: total, idleCount: idle, waitingCount: waiting, options: { max } }) as unknown as Pool;

describe('registerPoolMetrics', () => {
  it('reports total, idle and waiting per named pool, and the configured maximum', async () => {
    const registry = new Registry();
    registerPoolMetrics(registry, { primary: fakePool(4, 1, 2, 10), read: fakePool(2, 2, 0, 5) });
    const text = await registry.metrics();
    for (const line of [
      'catcast_db_pool_connections{pool="primary",state="total"} 4',
      'catcast_db_pool_connections{pool="primary",state="idle"} 1',
      'catcast_db_pool_connections{pool="primary",state="waiting"} 2',
      'catcast_db_pool_connections{pool="read",state="total"} 2',
      'catcast_db_pool_max_connections{pool="read"} 5',
    ])
      expect(text).toContain(line);
  });
});
