import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.js';
import { parseDevStackConfig, REPO_ROOT } from './config.js';

describe('parseDevStackConfig', () => {
  it('leaves every knob to the dev stack’s defaults when unset (empty counts as unset)', () => {
    expect(parseDevStackConfig({ KAFKA_BROKERS: '' })).toEqual({ root: REPO_ROOT });
    expect(path.basename(path.join(REPO_ROOT, 'cmd'))).toBe('cmd');
  });

  it('reads each knob', () => {
    expect(
      parseDevStackConfig({
        DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/catcast',
        KAFKA_BROKERS: '127.0.0.1:9092',
        CATCAST_DEV_DATA_DIR: 'tmp/dev',
        CATCAST_DEV_MERCHANTS: '2',
        CATCAST_DEV_DAYS: '0',
        CATCAST_DEV_ORDERS_PER_DAY: '2.5',
        CATCAST_DEV_LIVE_RATE: '0',
        CATCAST_DEV_PORT_OFFSET: '11000',
      }),
    ).toEqual({
      root: REPO_ROOT,
      databaseUrl: 'postgres://u:p@127.0.0.1:5432/catcast',
      kafkaBrokers: '127.0.0.1:9092',
      dataDir: path.resolve('tmp/dev'),
      merchants: 2,
      days: 0,
      ordersPerDay: 2.5,
      liveRate: 0,
      portOffset: 11000,
    });
  });

  it('names a bad knob instead of starting with NaN', () => {
    expect(() =>
      parseDevStackConfig({ CATCAST_DEV_MERCHANTS: 'five', CATCAST_DEV_PORT_OFFSET: '-1' }),
    ).toThrow(ConfigError);
    expect(() => parseDevStackConfig({ CATCAST_DEV_MERCHANTS: 'five' })).toThrow(/CATCAST_DEV_MERCHANTS/);
  });
});
