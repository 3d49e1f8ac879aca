import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.js';
import { parseSimulatorCommandLine, run } from './cli.js';
import { createFakeIngest } from './fake-ingest.js';

function streams() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    deps: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t), isTTY: false },
    },
  };
}

const never = new AbortController().signal;

describe('simulator run (the CLI)', () => {
  it('prints the usage for --help and exits 0 without calling ingest', async () => {
    const { out, deps } = streams();
    const fake = createFakeIngest();
    const code = await run(parseSimulatorCommandLine({}, ['--help']), never, { ...deps, fetch: fake.fetch });
    expect(code).toBe(0);
    expect(out.stdout).toMatch(/--ingest-url/);
    expect(fake.requests).toHaveLength(0);
  });

  it('writes the JSON summary on stdout, progress on stderr, and exits 0 when all went as meant', async () => {
    const { out, deps } = streams();
    const fake = createFakeIngest();
    const config = parseSimulatorCommandLine({ INGEST_URL: 'http://ingest.test' }, [
      '--json',
      '--days',
      '2',
      '--rate',
      '0',
      '--end',
      '2026-03-01T00:00:00Z',
      '--merchants',
      '2',
    ]);
    expect(await run(config, never, { ...deps, fetch: fake.fetch })).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ merchants: 2, rejected: 0, failed: 0 });
    expect(out.stderr).toMatch(/backfill/);
  });

  it('exits 1 with a one-line reason when the run cannot go on', async () => {
    const { out, deps } = streams();
    const unreachable: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));
    const config = parseSimulatorCommandLine({}, [
      '--ingest-url',
      'http://ingest.test',
      '--days',
      '1',
      '--rate',
      '0',
      '--progress',
      'off',
      '--ready-timeout',
      '0.05',
    ]);
    expect(await run(config, never, { ...deps, fetch: unreachable })).toBe(1);
    expect(out.stderr).toMatch(/^simulator: [^\n]+\n$/);
  });

  it('names a bad flag and points at --help', () => {
    expect(() => parseSimulatorCommandLine({}, ['--rate', 'lots'])).toThrow(ConfigError);
    expect(() => parseSimulatorCommandLine({}, ['--rate', 'lots'])).toThrow(
      /--rate .*\n\(see simulator --help\)$/s,
    );
  });
});
