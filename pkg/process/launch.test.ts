import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { launch, listeningPort, type Launched } from './index.js';

const started: Launched[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill()));
});

/** A node child running `script`. */
function node(script: string, extra: { logFile?: string; maxLogLines?: number } = {}): Launched {
  const p = launch({ name: 'child', command: process.execPath, args: ['-e', script], ...extra });
  started.push(p);
  return p;
}

describe('launch', () => {
  it('captures stdout and stderr line by line, also into a log file', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'catcast-process-')), 'child.log');
    const p = node(`console.log('one'); console.error('two'); process.stdout.write('three')`, {
      logFile: file,
    });
    expect(await p.exited).toBe(0);
    expect([...p.log].sort()).toEqual(['one\n', 'three', 'two\n']);
    const written = readFileSync(file, 'utf8');
    // the same bytes, though stdout and stderr may interleave differently
    expect(written.length).toBe('one\ntwo\nthree'.length);
    expect(written).toContain('one\n');
  });

  it('finds a ready line written before or after the wait began', async () => {
    const p = node(
      `console.log(JSON.stringify({ port: 4242, msg: 'listening' })); setTimeout(() => console.log('later'), 200); setInterval(() => {}, 1000)`,
    );
    expect(await listeningPort(p, { timeoutMs: 30_000 })).toBe(4242);
    expect((await p.waitForLine(/later/, { timeoutMs: 30_000 }))[0]).toBe('later');
  });

  it('rejects a wait when the child exits first, with its output', async () => {
    const p = node(`console.error('cannot bind'); process.exit(3)`);
    await expect(p.waitForLine(/ready/, { timeoutMs: 30_000 })).rejects.toThrow(
      /child exited \(3\).*cannot bind/s,
    );
    await expect(p.waitForHealth(() => false, { timeoutMs: 30_000 })).rejects.toThrow(/exited \(3\)/);
  });

  it('rejects a wait that times out', async () => {
    const p = node(`setInterval(() => {}, 1000)`);
    await expect(p.waitForLine(/never/, { timeoutMs: 200 })).rejects.toThrow(
      /no line matching \/never\/ within 200 ms/,
    );
    await expect(p.waitForHealth(() => false, { timeoutMs: 200, intervalMs: 20 })).rejects.toThrow(
      /not healthy within 200 ms/,
    );
  });

  it('waits for a health probe, counting thrown errors as not yet', async () => {
    const p = node(`setInterval(() => {}, 1000)`);
    let calls = 0;
    await p.waitForHealth(
      () => {
        calls++;
        if (calls < 3) throw new Error('refused');
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 10 },
    );
    expect(calls).toBe(3);
  });

  it('stops with SIGTERM, and with SIGKILL when SIGTERM is ignored past the grace period', async () => {
    const polite = node(
      `process.on('SIGTERM', () => { console.log('bye'); process.exit(0) }); console.log('up'); setInterval(() => {}, 1000)`,
    );
    await polite.waitForLine(/up/, { timeoutMs: 30_000 });
    expect(await polite.stop()).toBe(0);
    expect(polite.log).toContain('bye\n');
    const stubborn = node(
      `process.on('SIGTERM', () => console.log('ignored')); console.log('up'); setInterval(() => {}, 1000)`,
    );
    await stubborn.waitForLine(/up/, { timeoutMs: 30_000 });
    expect(await stubborn.stop({ graceMs: 300 })).toBeNull();
    expect(stubborn.child.signalCode).toBe('SIGKILL');
    expect(stubborn.running()).toBe(false);
  });

  it('keeps only the newest lines when asked to bound the log', async () => {
    const p = node(`for (let i = 0; i < 100; i++) console.log('line ' + i)`, { maxLogLines: 10 });
    await p.exited;
    expect(p.log.length).toBeLessThanOrEqual(10);
    expect(p.log.at(-1)).toBe('line 99\n');
  });

  it('reports a command that cannot start', async () => {
    const p = launch({ name: 'ghost', command: '/nonexistent/binary' });
    expect(await p.exited).toBeNull();
    expect(p.running()).toBe(false);
    await expect(p.waitForLine(/x/, { timeoutMs: 5000 })).rejects.toThrow(
      /ghost exited \(spawn \/nonexistent\/binary ENOENT\)/,
    );
  });
});
