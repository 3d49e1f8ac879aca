import { Gauge, type Registry } from '../metrics/index.js';
import type { Pool } from './pool.js';

/**
 * Registers catcast_db_pool_connections{pool,state} for each named pool (e.g. primary, read):
 * state total/idle are connections, waiting are queries queued for a free connection (the first
 * sign of pool exhaustion). Read when scraped, so it costs nothing between scrapes.
 */
export function registerPoolMetrics(registry: Registry, pools: Readonly<Record<string, Pool>>): void {
  new Gauge({
    name: 'catcast_db_pool_connections',
    help: 'Connections of each database pool by state (total, idle; waiting = queries queued for a connection)',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    collect() {
      for (const [name, pool] of Object.entries(pools)) {
        this.set({ pool: name, state: 'total' }, pool.totalCount);
        this.set({ pool: name, state: 'idle' }, pool.idleCount);
        this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
      }
    },
  });
  new Gauge({
    name: 'catcast_db_pool_max_connections',
    help: 'Configured maximum connections of each database pool',
    labelNames: ['pool'] as const,
    registers: [registry],
    collect() {
      for (const [name, pool] of Object.entries(pools)) this.set({ pool: name }, pool.options.max ?? 10);
    },
  });
}
