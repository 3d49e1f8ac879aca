import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.js';
import { parseAggregatorConfig } from './config.js';

const base = { DATABASE_URL: 'postgres://catcast@localhost/catcast' };

describe('parseAggregatorConfig', () => {
  it('needs a token key for the roles that serve the read API', () => {
    for (const role of ['api', 'all', undefined]) {
      const env = role ? { ...base, AGGREGATOR_ROLE: role } : base;
      expect(() => parseAggregatorConfig(env)).toThrow(/AUTH_MODE: AUTH_MODE=jwt needs one of/);
    }
    const api = parseAggregatorConfig({ ...base, AGGREGATOR_ROLE: 'api', AUTH_HS256_SECRET: 'x'.repeat(32) });
    expect(api.auth?.AUTH_MODE).toBe('jwt');
  });

  it('parses no AUTH_* for the consumer, which serves no API', () => {
    const consumer = parseAggregatorConfig({ ...base, AGGREGATOR_ROLE: 'consumer' });
    expect(consumer.AGGREGATOR_ROLE).toBe('consumer');
    expect(consumer.auth).toBeUndefined();
  });

  it('reports a bad role with the other bad variables, and then still checks AUTH_*', () => {
    let err: unknown;
    try {
      parseAggregatorConfig({ ...base, AGGREGATOR_ROLE: 'reader', PORT: 'eighty' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues.join('\n');
    expect(issues).toMatch(/AGGREGATOR_ROLE/);
    expect(issues).toMatch(/PORT/);
    expect(issues).toMatch(/AUTH_MODE/);
  });
});
