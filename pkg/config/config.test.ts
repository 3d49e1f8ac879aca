import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseEnv, parseTogether, port } from './index.js';

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
