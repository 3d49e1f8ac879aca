import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// scripts/lib/apt.sh driven from bash, with APT_GET pointing at a stand-in that records its calls and
// notices when two of them run at once (mkdir is atomic: the second one in finds the directory).
const lib = path.resolve(import.meta.dirname, 'lib/apt.sh');
let dir: string;

const STAND_IN = `#!/usr/bin/env bash
verb=none
for a in "$@"; do case $a in install|update) verb=$a ;; esac; done
mkdir "$D/busy" 2>/dev/null || echo overlap >>"$D/log"
echo "start $verb $*" >>"$D/log"
sleep 0.3
echo "end $verb" >>"$D/log"
rmdir "$D/busy" 2>/dev/null || true
[[ $verb == update ]] && touch "$D/updated"
if [[ $verb == install && -n \${FAIL_UNTIL_UPDATE:-} && ! -e $D/updated ]]; then echo "E: Unable to locate package" >&2; exit 100; fi
if [[ $verb == install && -n \${ALWAYS_FAIL:-} ]]; then echo "E: Unable to locate package nosuch" >&2; exit 100; fi
exit 0
`;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function bash(script: string, env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', `set -euo pipefail; source "$APT_LIB"; ${script}`],
      {
        env: {
          ...process.env,
          APT_LIB: lib,
          D: dir,
          APT_GET: path.join(dir, 'apt-get'),
          APT_LOCK_FILE: path.join(dir, 'apt.lock'),
          ...env,
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const log = (): string[] => readFileSync(path.join(dir, 'log'), 'utf8').trim().split('\n');

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'catcast-apt-'));
  writeFileSync(path.join(dir, 'apt-get'), STAND_IN);
  chmodSync(path.join(dir, 'apt-get'), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('apt_install', () => {
  it('runs installers started together one after another, never two apt processes at once', async () => {
    const results = await Promise.all(
      ['wrk', 'postgresql-15', 'shellcheck'].map((p) => bash(`apt_install ${p}`)),
    );
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    const lines = log();
    expect(lines).not.toContain('overlap');
    expect(lines.filter((l) => l.startsWith('start install'))).toHaveLength(3);
    // Strictly alternating start/end: each call ended before the next began.
    lines.forEach((l, i) => expect(l.startsWith(i % 2 === 0 ? 'start' : 'end')).toBe(true));
  });

  it('asks apt to wait for a lock held by anyone else, without recommends, output on stderr', async () => {
    const r = await bash('apt_install wrk');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(log()[0]).toMatch(
      /^start install -y -qq -o DPkg::Lock::Timeout=600 install --no-install-recommends wrk$/,
    );
  });

  it('refreshes the package lists and retries only when the first install fails', async () => {
    const r = await bash('apt_install wrk', { FAIL_UNTIL_UPDATE: '1' });
    expect(r.code).toBe(0);
    expect(
      log()
        .filter((l) => l.startsWith('start'))
        .map((l) => l.split(' ')[1]),
    ).toEqual(['install', 'update', 'install']);
  });

  it('fails with apt’s own error when the package cannot be installed', async () => {
    const r = await bash('apt_install nosuch; echo unreachable', { ALWAYS_FAIL: '1' });
    expect(r.code).not.toBe(0);
    expect(r.stdout).not.toContain('unreachable');
    expect(r.stderr).toContain('Unable to locate package nosuch');
  });

  it('gives up naming the lock file when another installer holds it too long', async () => {
    const lock = path.join(dir, 'apt.lock');
    const r = await bash(`flock "${lock}" sleep 3 & sleep 0.5; apt_install wrk; echo unreachable`, {
      APT_LOCK_WAIT: '1',
    });
    expect(r.code).not.toBe(0);
    expect(r.stdout).not.toContain('unreachable');
    expect(r.stderr).toContain(`waited 1s for ${lock}`);
  });
});
