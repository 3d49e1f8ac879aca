import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cpuGroupsState,
  disableCpuGroups,
  enableCpuGroups,
  intoCpuGroup,
  withOneSchedulingGroup,
} from './cpu-groups.js';

const cpuGroupOf = (pid: number) =>
  /^\d+:cpu(?:,cpuacct)?:(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1] ?? '';

const childOf = (pid: number): number | undefined =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .split(/\s+/)
    .map(Number)
    .find((p) => p > 0);

async function until<T>(f: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('cpu groups', () => {
  afterEach(() => disableCpuGroups());

  it('puts a process and its children in a group of their own, and back in one group on request', async () => {
    if (!enableCpuGroups()) {
      // Without a writable cgroup v1 cpu hierarchy the benchmark runs in one group and says why.
      expect(cpuGroupsState()).toMatchObject({ enabled: false });
      expect(cpuGroupsState().detail).toMatch(/one scheduling group/);
      return;
    }
    const parent = spawn('sh', ['-c', 'sleep 60 & wait'], { stdio: 'ignore' });
    let child: number | undefined;
    try {
      const pid = parent.pid!;
      child = await until(() => childOf(pid), 'the shell to start sleep');
      const before = cpuGroupOf(pid);
      intoCpuGroup('test group', pid);
      const group = `/catcast-bench-${process.pid}/test-group`;
      expect(cpuGroupOf(pid)).toBe(group);
      expect(cpuGroupOf(child)).toBe(group);
      const inside = await withOneSchedulingGroup(() =>
        Promise.resolve([cpuGroupOf(pid), cpuGroupOf(child!)]),
      );
      expect(inside).toEqual(['/', '/']);
      expect(cpuGroupOf(child)).toBe(group);
      disableCpuGroups();
      expect(cpuGroupOf(child)).toBe(before);
      expect(existsSync(`/sys/fs/cgroup/cpu${group}`)).toBe(false);
    } finally {
      if (child !== undefined && child > 0) process.kill(child, 'SIGKILL');
      parent.kill('SIGKILL');
    }
  });
});
