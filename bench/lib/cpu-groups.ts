/**
 * One CPU cgroup per process, as a Kubernetes node gives one to every pod.
 *
 * Without this every process the benchmark starts shares one scheduling group, and Linux divides a
 * busy machine per thread: PostgreSQL's 16 backends, Kafka's threads and the writers' processes
 * each get a slice, and a Node service (one thread) gets one slice among dozens. On a node the
 * kubelet puts each pod in its own cgroup and the CPU is divided between cgroups by their
 * cpu.shares, however many threads each runs. Measured here (2 cores, six busy loops standing for
 * the write pipeline): the aggregator's read API served 286 req/s beside them in one group and
 * 1,881 req/s with the loops in a group of their own.
 *
 * Every group gets the same cpu.shares (1024) — Kafka, each catcast service, each load generator
 * (wrk, pgbench) — unless its caller gives another weight (the read mix gives PostgreSQL twice that:
 * it serves the writes and every read, and with one share the writer fell short of its rate). Not the
 * chart's requests: those are minimums for placing pods on nodes, and PostgreSQL and Kafka are not in
 * the chart.
 *
 * Needs a writable cgroup v1 `cpu` hierarchy (root); without one the benchmark runs in one group and
 * its report says so ({@link cpuGroupsState}).
 *
 * An option of the read mix (BENCH_CPU_GROUPS=1), not its default: in the real mix it did not give
 * catcast a larger share than one group does (BENCHMARKS.md, "Giving each process its own CPU
 * cgroup"), and one group lets
 * PostgreSQL's backends take what they can — the reference at its best.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pids, statFields } from './procfs.js';

const HIERARCHY = process.env.BENCH_CPU_CGROUP_ROOT ?? '/sys/fs/cgroup/cpu';
const SHARES = 1024;

let base: string | undefined;
let failure: string | undefined;
const groups = new Set<string>();
/** The processes placed by label (each with its descendants), to place again after a suspension. */
const roots = new Map<string, Set<number>>();
const weights = new Map<string, number>();
let suspended = false;

/** Whether processes are being placed, and why not when they are not. */
export function cpuGroupsState(): { readonly enabled: boolean; readonly detail: string } {
  return base
    ? {
        enabled: true,
        detail: `one CPU cgroup per process (cgroup v1 cpu.shares ${SHARES} each${[...weights]
          .filter(([, w]) => w !== SHARES)
          .map(([l, w]) => `; ${l} ${w}`)
          .join('')}), as one pod each on a node`,
      }
    : { enabled: false, detail: `one scheduling group for every process (${failure ?? 'not enabled'})` };
}

/**
 * Starts placing processes: creates the benchmark's parent group. Returns false, with the reason in
 * {@link cpuGroupsState}, when the hierarchy cannot be written.
 */
export function enableCpuGroups(): boolean {
  if (base) return true;
  const dir = path.join(HIERARCHY, `catcast-bench-${process.pid}`);
  removeStaleGroups();
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'cpu.shares'), String(SHARES));
    base = dir;
    return true;
  } catch (err) {
    failure = `cannot create ${dir}: ${(err as Error).message}`;
    return false;
  }
}

/** Every running process's children, by parent pid. */
function childrenOf(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const pid of pids()) {
    const ppid = Number(statFields(pid)?.[1]);
    if (!ppid) continue; // exited meanwhile
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  return children;
}

/**
 * Moves `pid` and every process descended from it into the group `label` (created on first use).
 * Processes they start later are born in it. A no-op while groups are off.
 */
export function intoCpuGroup(label: string, pid: number | undefined, shares = SHARES): void {
  if (!base || pid === undefined) return;
  const known = roots.get(label) ?? new Set<number>();
  known.add(pid);
  roots.set(label, known);
  weights.set(label, shares);
  if (!suspended) place(label, pid, childrenOf());
}

/** Moves `pid` and its descendants (from `children`, one scan of /proc) into `label`'s group. */
function place(label: string, pid: number, children: Map<number, number[]>): void {
  if (!base) return;
  if (!existsSync(`/proc/${pid}`)) {
    roots.get(label)?.delete(pid);
    return;
  }
  const dir = path.join(base, label.replace(/[^A-Za-z0-9_.-]/g, '-'));
  if (!groups.has(dir)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'cpu.shares'), String(weights.get(label) ?? SHARES));
    groups.add(dir);
  }
  const pending = [pid];
  while (pending.length > 0) {
    const p = pending.pop()!;
    try {
      writeFileSync(path.join(dir, 'cgroup.procs'), String(p));
    } catch {
      // exited meanwhile
    }
    pending.push(...(children.get(p) ?? []));
  }
}

function moveAllToRoot(): void {
  for (const dir of groups) {
    try {
      for (const p of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean))
        writeFileSync(path.join(HIERARCHY, 'cgroup.procs'), p);
    } catch {
      // exited meanwhile
    }
  }
}

/**
 * Runs `fn` with every process back in one scheduling group (as the benchmark ran before groups,
 * and as PostgreSQL would run alone on a machine: each backend a slice), then places them again
 * (processes started meanwhile too). For a reference measured both ways in the same run.
 */
export async function withOneSchedulingGroup<T>(fn: () => Promise<T>): Promise<T> {
  if (!base) return fn();
  suspended = true;
  moveAllToRoot();
  try {
    return await fn();
  } finally {
    suspended = false;
    const children = childrenOf();
    for (const [label, placed] of roots) for (const pid of placed) place(label, pid, children);
  }
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** rmdir of an emptied group; a process still exiting keeps it busy for a moment. */
function removeGroup(dir: string): void {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      pause(50);
    }
  }
}

/** Groups left by a benchmark that was killed (its pid no longer runs). */
function removeStaleGroups(): void {
  let entries: string[];
  try {
    entries = readdirSync(HIERARCHY);
  } catch {
    return;
  }
  for (const entry of entries) {
    const m = /^catcast-bench-(\d+)$/.exec(entry);
    if (!m || existsSync(`/proc/${m[1]}`)) continue;
    const dir = path.join(HIERARCHY, entry);
    for (const sub of readdirSync(dir, { withFileTypes: true }))
      if (sub.isDirectory()) removeGroup(path.join(dir, sub.name));
    removeGroup(dir);
  }
}

/** The pids of processes whose command line contains `needle` (e.g. a data directory). */
export function pidsWithArgument(needle: string): number[] {
  return pids().filter((pid) => {
    if (pid === process.pid) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
    } catch {
      return false; // exited meanwhile
    }
  });
}

/**
 * Moves whatever is still in the groups back to the root group and removes them (processes of a
 * finished benchmark are gone; infrastructure that outlives a scenario keeps running unconstrained).
 */
export function disableCpuGroups(): void {
  if (!base) return;
  moveAllToRoot();
  for (const dir of [...groups, base]) {
    removeGroup(dir);
  }
  groups.clear();
  roots.clear();
  weights.clear();
  base = undefined;
  failure = 'turned off after the scenario';
}
