import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.js';
import { parseSimulatorArgs, simulatorUsage } from './config.js';

describe('parseSimulatorArgs', () => {
  it('has documented defaults', () => {
    expect(parseSimulatorArgs([], {})).toEqual({
      ingestUrl: 'http://127.0.0.1:8081',
      token: undefined,
      seed: 'catcast',
      merchants: 3,
      parentsPerMerchant: 4,
      childrenPerParent: 3,
      productsPerCategory: 5,
      merchantPrefix: 'sim',
      days: 30,
      ordersPerDay: 50,
      end: undefined,
      rate: 2,
      durationSeconds: 0,
      concurrency: 16,
      batchSize: 1000,
      batchConcurrency: 3,
      replayRatio: 0,
      invalidRatio: 0,
      readyTimeoutSeconds: 60,
      maxAttempts: 8,
      syncCatalog: true,
      progress: 'auto',
      json: false,
      help: false,
    });
  });

  it('reads env fallbacks and lets flags win over them', () => {
    const env = {
      INGEST_URL: 'http://ingest:8081',
      CATCAST_TOKEN: 't',
      SIM_MERCHANTS: '5',
      SIM_DAYS: '730',
      SIM_JSON: 'true',
    };
    const c = parseSimulatorArgs(
      ['--days', '2', '--rate=0', '--skip-catalog', '--end', '2026-01-01T00:00:00Z'],
      env,
    );
    expect(c).toMatchObject({
      ingestUrl: 'http://ingest:8081',
      token: 't',
      merchants: 5,
      days: 2,
      rate: 0,
      json: true,
    });
    expect(c.syncCatalog).toBe(false);
    expect(c.end?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it.each([
    [['--rate', 'fast'], {}, /--rate \(SIM_RATE\): .*got "fast"/],
    [[], { SIM_MERCHANTS: '0' }, /--merchants \(SIM_MERCHANTS\): .*got "0"/],
    [['--batch-size', '5000'], {}, /--batch-size \(SIM_BATCH_SIZE\)/],
    [['--replay-ratio', '1.5'], {}, /--replay-ratio \(SIM_REPLAY_RATIO\)/],
    [['--ingest-url', 'not a url'], {}, /--ingest-url \(INGEST_URL\)/],
    [['--end', 'yesterday'], {}, /--end \(SIM_END\)/],
    [['--progress', 'fancy'], {}, /--progress \(SIM_PROGRESS\)/],
    [['--nope'], {}, /Unknown option '--nope'/],
  ])('rejects %j %j naming the flag', (argv, env, message) => {
    expect(() => parseSimulatorArgs(argv, env)).toThrow(ConfigError);
    expect(() => parseSimulatorArgs(argv, env)).toThrow(message);
  });

  it('never echoes the token', () => {
    expect(() => parseSimulatorArgs(['--token', ''], {})).toThrow(/<redacted>/);
  });

  it('documents every flag with its variable', () => {
    expect(simulatorUsage()).toMatch(/--orders-per-day <value> +mean orders .*\[env SIM_ORDERS_PER_DAY\]/);
  });
});
