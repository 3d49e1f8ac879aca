import { describe, expect, it } from 'vitest';
import type { EmbeddedPostgresHandle } from '../db/index.js';
import { SupervisedPostgres } from './postgres.js';

/** A fake server whose death the test decides. */
function fakeServer(pid: number) {
  let die: (r: { code: number | null; signal: NodeJS.Signals | null }) => void = () => undefined;
  let stopped = false;
  const handle: EmbeddedPostgresHandle = {
    url: () => 'postgres://fake',
    createDatabase: () => Promise.resolve(),
    stop: () => {
      stopped = true;
      die({ code: 0, signal: null });
      return Promise.resolve();
    },
    pid,
    exited: new Promise((r) => (die = r)),
  };
  return { handle, kill: () => die({ code: null, signal: 'SIGKILL' }), stopped: () => stopped };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
}

describe('SupervisedPostgres', () => {
  it('starts the server again when it dies, retrying while a start fails', async () => {
    const servers = [fakeServer(1), fakeServer(2)];
    const [one] = servers;
    let calls = 0;
    const lines: string[] = [];
    const sup = new SupervisedPostgres({
      dataDir: '/nowhere',
      report: (l) => lines.push(l),
      retryDelayMs: 1,
      startServer: () => {
        calls++;
        // The second call fails like a start while orphaned backends still hold the shared memory.
        if (calls === 2) return Promise.reject(new Error('pre-existing shared memory block is still in use'));
        return Promise.resolve(servers[calls === 1 ? 0 : 1]!.handle);
      },
    });
    const first = await sup.start();
    expect(first.pid).toBe(1);
    // Kill the first server: the supervisor must restart it (after one failed attempt).
    one!.kill();
    await until(() => sup.restarts === 1);
    expect(calls).toBe(3);
    expect(sup.handle?.pid).toBe(2);
    expect(lines.join('\n')).toMatch(/exited \(SIGKILL\)/);
    expect(lines.join('\n')).toMatch(/attempt 1 failed/);
    expect(lines.join('\n')).toMatch(/restarted in .* \(attempt 2, pid 2\)/);
    await sup.stop();
    expect(sup.handle).toBeUndefined();
  });

  it('does not restart a server it stopped itself', async () => {
    const server = fakeServer(7);
    let calls = 0;
    const sup = new SupervisedPostgres({
      dataDir: '/nowhere',
      report: () => undefined,
      startServer: () => {
        calls++;
        return Promise.resolve(server.handle);
      },
    });
    await sup.start();
    await sup.stop();
    expect(server.stopped()).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(1);
    expect(sup.restarts).toBe(0);
  });
});
