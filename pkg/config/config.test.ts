import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, databaseEnv, parseEnv, parseTogether, port, without } from './index.js';

const a = z.object({ PORT: port(8080) });
const b = z.object({ AUTH_MODE: z.enum(['jwt', 'none']) });

describe('parseTogether', () => {
  it('returns each parser’s result in order', () => {
    const env = { PORT: '81', AUTH_MODE: 'none' };
    const [x, y] = parseTogether(
      () => parseEnv(a, env),
      () => parseEnv(b, env),
    );
    expect(x).toEqual({ PORT: 81 });
    expect(y).toEqual({ AUTH_MODE: 'none' });
  });

  it('names the issues of every failing parser in one ConfigError', () => {
    const env = { PORT: 'eighty', AUTH_MODE: 'maybe' };
    let error: unknown;
    try {
      parseTogether(
        () => parseEnv(a, env),
        () => parseEnv(b, env),
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { issues, message } = error as ConfigError;
    expect(issues).toHaveLength(2);
    expect(message).toMatch(/^invalid configuration: PORT: .*; AUTH_MODE: /);
  });

  it('lets an unexpected error through unchanged', () => {
    const boom = new Error('boom');
    expect(() =>
      parseTogether(() => {
        throw boom;
      }),
    ).toThrow(boom);
  });
});

describe('without', () => {
  it('leaves the named variables out of a shared group, so they are neither parsed nor kept', () => {
    const schema = z.object({
      ...without(databaseEnv, 'DATABASE_READ_URL', 'DATABASE_STATEMENT_TIMEOUT_MS'),
    });
    const parsed = parseEnv(schema, {
      DATABASE_URL: 'postgres://localhost/catcast',
      DATABASE_READ_URL: 'not a url',
      DATABASE_STATEMENT_TIMEOUT_MS: 'never',
    });
    expect(parsed).toEqual({ DATABASE_URL: 'postgres://localhost/catcast', DATABASE_POOL_MAX: 10 });
    expect(Object.keys(databaseEnv)).toContain('DATABASE_READ_URL');
  });
});
