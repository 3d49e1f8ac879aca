import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log/index.js';
import { EXIT, runCatcast } from './index.js';

async function catcast(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCatcast(
    argv,
    env,
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
    { logger: silentLogger(), signal: new AbortController().signal },
  );
  return { code, stdout, stderr };
}

const SECRET = 'a-development-secret-of-at-least-32-chars';

describe('catcast CLI', () => {
  it.each([
    [['bogus'], /unknown command "bogus"/],
    [['reconcile', '--nope'], /Unknown option '--nope'/],
    [['reconcile', '--every', '0'], /--every must be a positive number/],
    [['reconcile'], /DATABASE_URL/],
    [['dlq'], /unknown dlq command/],
    [['dlq', 'replay', '--max=-1'], /--max must be a whole number/],
    [['dlq', 'replay'], /KAFKA_BROKERS must be set/],
    [['token', '--merchant', 'm'], /secret of at least 32/],
    [['token', '--secret', SECRET, '--merchant', 'm'], /--scope is required/],
    [['token', '--secret', SECRET, '--merchant', 'm', '--scope', 'root'], /unknown scope\(s\) root/],
    [['token', '--secret', SECRET, '--scope', 'admin'], /--merchant is required/],
    [['token', '--secret', SECRET, '--merchant', 'm', '--scope', 'admin', '--expires', 'soon'], /--expires/],
  ])('%j exits 2 with a message', async (argv, message) => {
    const r = await catcast(argv);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(message);
  });

  it('prints usage with --help (exit 0) and without a command (exit 2)', async () => {
    const help = await catcast(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/catcast reconcile/);
    expect((await catcast([])).code).toBe(EXIT.usage);
  });

  it('mints a token with the scopes and merchants asked for, secret from the environment', async () => {
    const r = await catcast(
      ['token', '--merchant', 'm1', '--merchant', 'm2', '--scope', 'sales:read,forecasts:read'],
      {
        AUTH_HS256_SECRET: SECRET,
      },
    );
    expect(r.code).toBe(0);
    const claims = decodeJwt(r.stdout.trim());
    expect(claims).toMatchObject({ scope: 'sales:read forecasts:read', merchants: ['m1', 'm2'] });
    const all = await catcast([
      'token',
      '--secret',
      SECRET,
      '--merchant',
      '*',
      '--scope',
      'admin',
      '--expires',
      '1h',
    ]);
    expect(decodeJwt(all.stdout.trim())).toMatchObject({ scope: 'admin', merchants: ['*'] });
  });
});
