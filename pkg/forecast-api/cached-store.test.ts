import { describe, expect, it } from 'vitest';
import { cachedForecastStore } from './cached-store.js';
import { ForecastChangeLog } from './changes.js';
import type { ForecastSet, StoredForecast } from '../forecast-job/index.js';
import type { ForecastStore, SetRowFilter } from './store.js';

const set = (generatedAt: string): ForecastSet =>
  ({
    merchantId: 'm1',
    bucketType: 'WEEK',
    generatedAt: new Date(generatedAt),
    runId: 'r1',
  }) as ForecastSet;

function counting() {
  const calls: string[] = [];
  const inner = {
    merchant: (id: string) => {
      calls.push(`merchant ${id}`);
      return Promise.resolve({ id, timezone: 'UTC', weekStart: 'MONDAY', currency: 'EUR' });
    },
    categoryLabels: (id: string) => {
      calls.push(`labels ${id}`);
      return Promise.resolve(new Map([['c', { name: 'C', parentCategoryId: null }]]));
    },
    latestSet: () => {
      calls.push('latest');
      return Promise.resolve(undefined);
    },
    setRows: (s: ForecastSet, f: { models?: readonly string[] }) => {
      calls.push(`rows ${s.generatedAt.toISOString()} ${f.models?.join(',') ?? '*'}`);
      return Promise.resolve([]);
    },
    setPaths: () => {
      calls.push('paths');
      return Promise.resolve([]);
    },
    history: () => {
      calls.push('history');
      return Promise.resolve({} as never);
    },
  } as unknown as ForecastStore;
  return { inner, calls };
}

describe('cachedForecastStore', () => {
  it('reads a published set’s rows once per filter, and a newer set anew', async () => {
    const { inner, calls } = counting();
    const store = cachedForecastStore(inner);
    await store.setRows(set('2026-01-01T00:00:00Z'), { models: ['auto'] });
    await store.setRows(set('2026-01-01T00:00:00Z'), { models: ['auto'] });
    await store.setRows(set('2026-01-01T00:00:00Z'), {});
    await store.setRows(set('2026-01-08T00:00:00Z'), { models: ['auto'] });
    expect(calls).toEqual([
      'rows 2026-01-01T00:00:00.000Z auto',
      'rows 2026-01-01T00:00:00.000Z *',
      'rows 2026-01-08T00:00:00.000Z auto',
    ]);
  });

  it('always asks for the latest set (the pointer moves), and reuses calendar and labels for the TTL only', async () => {
    let t = 0;
    const { inner, calls } = counting();
    const store = cachedForecastStore(inner, { catalogTtlMs: 100, now: () => t });
    await store.latestSet('m1', 'WEEK');
    await store.latestSet('m1', 'WEEK');
    await store.merchant('m1');
    await store.categoryLabels('m1');
    t = 50;
    await store.merchant('m1');
    await store.categoryLabels('m1');
    t = 150;
    await store.merchant('m1');
    await store.categoryLabels('m1');
    expect(calls).toEqual(['latest', 'latest', 'merchant m1', 'labels m1', 'merchant m1', 'labels m1']);
  });

  it('holds at most maxRows rows over all sets, evicting the set read longest ago', async () => {
    const { inner, calls } = counting();
    // 30 rows per set: a set of a merchant with 5 categories and 6 models.
    const sized = {
      ...inner,
      setRows: (s: ForecastSet, f: SetRowFilter) => inner.setRows(s, f).then(() => rows30),
    };
    const rows30 = Array.from({ length: 30 }, () => ({}) as StoredForecast);
    const store = cachedForecastStore(sized, { maxRows: 70 });
    const days = ['01', '02', '03'].map((d) => set(`2026-01-${d}T00:00:00Z`));
    for (const s of days) await store.setRows(s, {}); // the third evicts the first (90 > 70)
    await store.setRows(days[1]!, {});
    await store.setRows(days[2]!, {});
    await store.setRows(days[0]!, {});
    expect(calls.map((c) => c.slice(13, 15))).toEqual(['01', '02', '03', '01']);
  });

  it('keeps calendar and labels while notifications are live until one names the merchant’s catalog', async () => {
    let t = 0;
    const { inner, calls } = counting();
    const changes = new ForecastChangeLog({ now: () => t });
    changes.setExact(true);
    const store = cachedForecastStore(inner, {
      catalogTtlMs: 100,
      catalogExactTtlMs: 60_000,
      changes,
      now: () => t,
    });
    await store.merchant('m1');
    await store.categoryLabels('m1');
    await store.categoryLabels('m2');
    t = 10_000;
    await store.merchant('m1');
    await store.categoryLabels('m1');
    expect(calls).toEqual(['merchant m1', 'labels m1', 'labels m2']);
    // A new set of m1 leaves its catalog alone; a catalog change of m1 drops m1's entries only.
    changes.record([{ merchantId: 'm1', bucketType: 'WEEK' }]);
    await store.categoryLabels('m1');
    changes.record([{ merchantId: 'm1', bucketType: '*' }]);
    await store.merchant('m1');
    await store.categoryLabels('m1');
    await store.categoryLabels('m2');
    expect(calls).toEqual(['merchant m1', 'labels m1', 'labels m2', 'merchant m1', 'labels m1']);
    // Lost notifications: every entry is forgotten and lives the short TTL again.
    changes.setExact(false);
    await store.categoryLabels('m2');
    t = 10_200;
    await store.categoryLabels('m2');
    expect(calls.slice(5)).toEqual(['labels m2', 'labels m2']);
  });

  it('drops a set’s rows when a notification names its merchant and bucket type', async () => {
    const { inner, calls } = counting();
    const changes = new ForecastChangeLog();
    changes.setExact(true);
    const store = cachedForecastStore(inner, { changes });
    const s = set('2026-01-01T00:00:00Z');
    await store.setRows(s, {});
    changes.record([{ merchantId: 'm1', bucketType: 'MONTH' }]);
    await store.setRows(s, {});
    changes.record([{ merchantId: 'm1', bucketType: 'WEEK' }]);
    await store.setRows(s, {});
    expect(calls).toEqual(['rows 2026-01-01T00:00:00.000Z *', 'rows 2026-01-01T00:00:00.000Z *']);
  });
});
