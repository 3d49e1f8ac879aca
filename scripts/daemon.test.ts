import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// scripts/lib/daemon.sh driven from bash, against real processes: python's http.server as a daemon
// that answers on a port, and a python process that ignores SIGTERM.
const lib = path.resolve(import.meta.dirname, 'lib/daemon.sh');
let dir: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs SCRIPT in a fresh bash with the library sourced and set -euo pipefail, as the scripts use it. */
function bash(script: string): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', `set -euo pipefail; source "$DAEMON_LIB"; ${script}`],
      { env: { ...process.env, DAEMON_LIB: lib, D: dir }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A TCP port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** True while PID runs. A zombie (dead, not yet reaped by whoever inherited it) counts as gone. */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Kills whatever a failed test left behind. */
function cleanup(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'catcast-daemon-'));
});
afterAll(() => {
  for (const f of ['http.pid', 'stubborn.pid', 'short.pid']) cleanup(path.join(dir, f));
  rmSync(dir, { recursive: true, force: true });
});

describe('scripts/lib/daemon.sh', () => {
  it('starts a daemon with a pid file, waits for its port, sees it running, stops it with SIGTERM', async () => {
    const port = await freePort();
    const up = await bash(`
      daemon_start "$D/http.pid" "$D/http.log" python3 -m http.server --bind 127.0.0.1 ${port}
      daemon_wait_for "http.server" 60 "$DAEMON_PID" daemon_port_open ${port}
      [[ $(cat "$D/http.pid") == "$DAEMON_PID" ]] || { echo "pid file says $(cat "$D/http.pid"), not $DAEMON_PID"; exit 1; }
      daemon_running "$D/http.pid" 'http\\.server'
      daemon_pid "$D/http.pid" 'http\\.server'`);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const pid = Number(up.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    // Detached: it outlived the shell that started it, and it answers HTTP.
    expect(alive(pid)).toBe(true);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
    // Taken ports are named.
    const busy = await bash(`daemon_ports_free "http.server" ${port}`);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`http.server: port ${port} on 127.0.0.1 is taken by another process`);

    const down = await bash(`daemon_stop "$D/http.pid" 'http\\.server' 30`);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain(`http stopped (pid ${pid})`);
    expect(down.stderr).not.toContain('SIGKILL');
    expect(alive(pid)).toBe(false);
    expect(existsSync(path.join(dir, 'http.pid'))).toBe(false);
    // Stopping again is a no-op, and the library says it is not running.
    const again = await bash(`daemon_stop "$D/http.pid"; daemon_running "$D/http.pid" || echo not-running`);
    expect(again).toEqual({ code: 0, stdout: 'not-running\n', stderr: '' });
  });

  it('fails a wait at its deadline with a message naming what and how long', async () => {
    const r = await bash(`daemon_wait_for "the widget" 1 "" false`);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('the widget did not become ready within 1s\n');
  });

  it('fails a wait early when the process dies while starting', async () => {
    // A deadline far beyond the test timeout: only the early exit can end this wait in time.
    const r = await bash(`
      daemon_start "$D/short.pid" "$D/short.log" bash -c 'echo bye; exit 3'
      daemon_wait_for "short-lived" 3600 "$DAEMON_PID" false`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^short-lived exited while starting \(pid \d+\)\n$/);
    expect(readFileSync(path.join(dir, 'short.log'), 'utf8')).toBe('bye\n');
  });

  it('sends SIGKILL to a process that ignores SIGTERM, after the grace period', async () => {
    const up = await bash(`
      daemon_start "$D/stubborn.pid" "$D/stubborn.log" python3 -u -c '
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ignoring TERM")
time.sleep(3600)'
      daemon_wait_for "stubborn" 60 "$DAEMON_PID" grep -q "ignoring TERM" "$D/stubborn.log"
      echo "$DAEMON_PID"`);
    expect(up.code).toBe(0);
    const pid = Number(up.stdout.trim());
    expect(alive(pid)).toBe(true);

    const down = await bash(`daemon_stop "$D/stubborn.pid" 'signal\\.SIG_IGN' 1`);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain(`stubborn (pid ${pid}) still alive after 1s, sent SIGKILL`);
    expect(down.stderr).toContain(`stubborn stopped (pid ${pid})`);
    expect(alive(pid)).toBe(false);
  });

  it('treats a pid file whose pid now belongs to another program as not running, and never signals it', async () => {
    // The pid file names this test's own node process, which does not match the pattern.
    const r = await bash(`
      echo ${process.pid} >"$D/reused.pid"
      daemon_running "$D/reused.pid" '(^|/)kafka ' && echo running || echo not-running
      daemon_stop "$D/reused.pid" '(^|/)kafka ' 1
      [[ -e "$D/reused.pid" ]] && echo kept || echo removed`);
    expect(r).toEqual({ code: 0, stdout: 'not-running\nremoved\n', stderr: '' });
    expect(alive(process.pid)).toBe(true);
  });
});
