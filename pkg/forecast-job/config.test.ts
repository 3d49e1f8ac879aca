import { describe, expect, it } from 'vitest';
import { parseForecastJobConfig } from './config.js';

const base = { DATABASE_URL: 'postgres://catcast@localhost/catcast' };

describe('forecast job config: paths', () => {
  it('defaults to the engine horizons and the served model plus its baseline', () => {
    const c = parseForecastJobConfig(base);
    expect(c.horizons).toEqual({ DAY: 14, WEEK: 13, MONTH: 12, YEAR: 3 });
    expect(c.FORECAST_PATH_MODELS).toEqual(['auto', 'seasonal_naive']);
  });

  it('takes a horizon per bucket type (0 = none) and "none" for no path models', () => {
    const c = parseForecastJobConfig({
      ...base,
      FORECAST_HORIZON_WEEK: '26',
      FORECAST_HORIZON_YEAR: '0',
      FORECAST_PATH_MODELS: 'none',
    });
    expect(c.horizons).toMatchObject({ WEEK: 26, YEAR: 0 });
    expect(c.FORECAST_PATH_MODELS).toEqual([]);
    expect(
      parseForecastJobConfig({ ...base, FORECAST_PATH_MODELS: 'ets, theta' }).FORECAST_PATH_MODELS,
    ).toEqual(['ets', 'theta']);
  });

  it.each([
    ['FORECAST_HORIZON_WEEK', '105'],
    ['FORECAST_HORIZON_MONTH', '-1'],
    ['FORECAST_HORIZON_DAY', '1.5'],
    ['FORECAST_PATH_MODELS', 'prophet'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => parseForecastJobConfig({ ...base, [name]: value })).toThrow(name);
  });
});
