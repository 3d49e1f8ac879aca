import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.js';
import { describeFailure, EXIT, runMain, type MainHost, type StopSignal } from './main.js';

/** A process double: records stderr, exit codes and flushes; `signal` delivers a stop signal. */
function fakeHost(env: Record<string, string> = {}, argv: string[] = []) {
  const listeners = new Map<StopSignal, Array<() => void>>();
  const exits: number[] = [];
  const events: string[] = [];
  let stderr = '';
  let exited: (code: number) => void = () => undefined;
  const firstExit = new Promise<number>((resolve) => (exited = resolve));
  const host: MainHost = {
    env,
    argv,
    stderr: (t) => void (stderr += t),
    onSignal: (s, l) => void listeners.set(s, [...(listeners.get(s) ?? []), l]),
    flush: () => {
      events.push('flush');
      return Promise.resolve();
    },
    exit: (code) => {
      events.push(`exit ${code}`);
      exits.push(code);
      exited(code);
    },
  };
  return {
    host,
    exits,
    events,
    firstExit,
    stderr: () => stderr,
    signal: (s: StopSignal) => listeners.get(s)?.forEach((l) => l()),
  };
}

const parseNumber = (env: Readonly<Record<string, string | undefined>>) => {
  const n = Number(env.N);
  if (!Number.isInteger(n)) throw new ConfigError(`invalid configuration: N: expected an integer`, ['N']);
  return { n, SHUTDOWN_TIMEOUT_SECONDS: Number(env.SHUTDOWN_TIMEOUT_SECONDS ?? 20) };
};

/** Resolves when `signal` aborts. */
const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

describe('runMain', () => {
  it('runs with the parsed configuration, then flushes telemetry and exits 0', async () => {
    const p = fakeHost({ N: '7' }, ['--flag']);
    let seen: unknown;
    const code = await runMain(
      {
        name: 'svc',
        parse: (env, argv) => ({ ...parseNumber(env), argv }),
        run: (config) => {
          seen = config;
          return Promise.resolve();
        },
      },
      p.host,
    );
    expect(code).toBe(0);
    expect(seen).toEqual({ n: 7, SHUTDOWN_TIMEOUT_SECONDS: 20, argv: ['--flag'] });
    expect(p.events).toEqual(['flush', 'exit 0']);
  });

  it('exits 2 on a configuration error, naming it without a stack, and never runs', async () => {
    const p = fakeHost({ N: 'seven' });
    let ran = false;
    const code = await runMain(
      { name: 'svc', parse: parseNumber, run: () => Promise.resolve(void (ran = true)) },
      p.host,
    );
    expect(code).toBe(EXIT.config);
    expect(p.exits).toEqual([2]);
    expect(ran).toBe(false);
    expect(p.stderr()).toBe('svc: invalid configuration: N: expected an integer\n');
  });

  it('exits 2 on a ConfigError found while starting (e.g. a key source), 1 on any other failure', async () => {
    const config = fakeHost({ N: '1' });
    expect(
      await runMain(
        {
          name: 'svc',
          parse: parseNumber,
          run: () => Promise.reject(new ConfigError('KAFKA_BROKERS: required', ['KAFKA_BROKERS'])),
        },
        config.host,
      ),
    ).toBe(2);
    expect(config.stderr()).toBe('svc: KAFKA_BROKERS: required\n');

    const failed = fakeHost({ N: '1' });
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    expect(
      await runMain(
        {
          name: 'svc',
          parse: parseNumber,
          run: () => Promise.reject(new Error('aggregator stopped after a failure', { cause })),
        },
        failed.host,
      ),
    ).toBe(1);
    expect(failed.stderr()).toMatch(/^svc: Error: aggregator stopped after a failure\n\s+at /);
    expect(failed.stderr()).toMatch(/\n {2}caused by: connect ECONNREFUSED 127\.0\.0\.1:5432\n$/);
    expect(failed.events).toEqual(['flush', 'exit 1']);
  });

  it("uses run's number as the exit code (a CLI's outcome)", async () => {
    const p = fakeHost({ N: '1' });
    expect(await runMain({ name: 'cli', parse: parseNumber, run: () => Promise.resolve(3) }, p.host)).toBe(3);
    expect(p.exits).toEqual([3]);
  });

  it('turns SIGTERM into an abort; finishing in time exits 0 after the flush', async () => {
    const p = fakeHost({ N: '1' });
    const main = runMain(
      {
        name: 'svc',
        parse: parseNumber,
        run: async (_c, signal) => {
          queueMicrotask(() => p.signal('SIGTERM'));
          await untilAborted(signal);
        },
      },
      p.host,
    );
    expect(await main).toBe(0);
    expect(p.events).toEqual(['flush', 'exit 0']);
    expect(p.stderr()).toMatch(/^svc: SIGTERM: stopping \(at most 20 s\)/);
  });

  it('exits 1 when the work outlives the shutdown deadline after the first signal', async () => {
    const p = fakeHost({ N: '1', SHUTDOWN_TIMEOUT_SECONDS: '0.05' });
    let release: () => void = () => undefined;
    void runMain(
      {
        name: 'svc',
        parse: parseNumber,
        run: async (_c, signal) => {
          queueMicrotask(() => p.signal('SIGINT'));
          await untilAborted(signal);
          await new Promise<void>((r) => (release = r)); // a batch stuck on a dead dependency
        },
      },
      p.host,
    );
    expect(await p.firstExit).toBe(1);
    expect(p.stderr()).toMatch(/still running 0\.05 s after SIGINT \(SHUTDOWN_TIMEOUT_SECONDS\); exiting/);
    release();
  });

  it('has no deadline when the spec says none; a repeated SIGTERM changes nothing, a second Ctrl-C exits 130', async () => {
    const p = fakeHost({ N: '1', SHUTDOWN_TIMEOUT_SECONDS: '0.01' });
    let release: () => void = () => undefined;
    void runMain(
      {
        name: 'sim',
        parse: parseNumber,
        shutdownTimeoutSeconds: () => undefined,
        run: async (_c, signal) => {
          queueMicrotask(() => p.signal('SIGINT'));
          await untilAborted(signal);
          // Well past the config's 0.01 s: no deadline fired, the process is still running.
          await new Promise((r) => setTimeout(r, 50));
          expect(p.exits).toEqual([]);
          p.signal('SIGTERM'); // the dev supervisor stopping a child the terminal already interrupted
          expect(p.exits).toEqual([]);
          p.signal('SIGINT');
          await new Promise<void>((r) => (release = r));
        },
      },
      p.host,
    );
    expect(await p.firstExit).toBe(130);
    expect(p.stderr()).toMatch(/sim: SIGINT: stopping; Ctrl-C again exits at once\n/);
    expect(p.stderr()).toMatch(/sim: SIGINT again: exiting now\n/);
    release();
  });
});

describe('describeFailure', () => {
  it('prints a configuration error as its message, other errors with the stack and every cause', () => {
    expect(describeFailure(new ConfigError('PORT: bad', ['PORT']))).toBe('PORT: bad');
    const text = describeFailure(new Error('outer', { cause: new Error('inner', { cause: 'root' }) }));
    expect(text).toMatch(/^Error: outer\n\s+at /);
    expect(text).toMatch(/\n {2}caused by: inner\n {2}caused by: root$/);
  });
});
