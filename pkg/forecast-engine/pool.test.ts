import { describe, expect, it } from 'vitest';
import { canonicalJson, createForecastPool, forecastMany, type ForecastRequest } from './index.js';
import { fixtureSeries } from './testdata/series.js';

describe('forecast pool', () => {
  it('returns the same replies as forecastMany, in request order, from two threads', async () => {
    const requests: ForecastRequest[] = [];
    fixtureSeries().forEach((series, i) => {
      for (let r = 0; r < 5; r++)
        requests.push({ key: `${i}-${r}`, series, models: ['auto', 'seasonal_naive'] });
    });
    requests.push({ key: 'bad', series: { bucketType: 'WEEK', values: [] }, models: ['naive'] });
    const pool = createForecastPool({ threads: 2, chunkSize: 3 });
    try {
      expect(pool.threads).toBe(2);
      const replies = await pool.forecastMany(requests);
      expect(replies.map((r) => r.key)).toEqual(requests.map((r) => r.key));
      expect(canonicalJson(replies)).toBe(canonicalJson(forecastMany(requests)));
    } finally {
      await pool.close();
    }
    await expect(pool.forecastMany(requests)).rejects.toThrow(/closed/);
  }, 60_000);

  it('rejects a bad size', () => {
    expect(() => createForecastPool({ threads: 0 })).toThrow(/threads/);
  });
});
