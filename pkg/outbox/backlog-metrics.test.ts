import type pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Queryable } from '../db/index.js';
import { Registry } from '../metrics/index.js';
import { registerOutboxBacklogMetrics } from './backlog-metrics.js';

/** A database whose answer the test sets: a backlog row, or a failure. */
function fakeDb(): Queryable & { answer: { backlog: number; oldest: number } | Error } {
  const db = {
    answer: { backlog: 0, oldest: 0 } as { backlog: number; oldest: number } | Error,
    query: <R extends pg.QueryResultRow>() =>
      db.answer instanceof Error
        ? Promise.reject(db.answer)
        : Promise.resolve({ rows: [db.answer] } as unknown as pg.QueryResult<R>),
  };
  return db;
}

async function scrape(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await registry.metrics()).split('\n'))
    if (line && !line.startsWith('#')) out[line.split(' ')[0]!] = Number(line.split(' ')[1]);
  return out;
}

afterEach(() => vi.useRealTimers());

describe('outbox backlog gauges', () => {
  it('keep their last value while the query fails, and say so', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const db = fakeDb();
    const registry = new Registry();
    registerOutboxBacklogMetrics(registry, db);
    db.answer = { backlog: 42, oldest: 310 };
    expect(await scrape(registry)).toEqual({
      catcast_outbox_backlog: 42,
      catcast_outbox_oldest_age_seconds: 310,
      catcast_outbox_backlog_query_failed: 0,
    });
    // The database fails: a 0 here would silence CatcastOutboxStale exactly when it matters.
    db.answer = new Error('connection terminated');
    vi.advanceTimersByTime(1500);
    expect(await scrape(registry)).toEqual({
      catcast_outbox_backlog: 42,
      catcast_outbox_oldest_age_seconds: 310,
      catcast_outbox_backlog_query_failed: 1,
    });
    // A failure is not cached: the next scrape asks again and recovers.
    db.answer = { backlog: 3, oldest: 1 };
    expect(await scrape(registry)).toEqual({
      catcast_outbox_backlog: 3,
      catcast_outbox_oldest_age_seconds: 1,
      catcast_outbox_backlog_query_failed: 0,
    });
  });
});
