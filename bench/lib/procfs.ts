/** Reading /proc (Linux) for the benchmark: which processes run, and their stat fields. */
import { readdirSync, readFileSync } from 'node:fs';

/** The pids of every running process. */
export function pids(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}

/**
 * The fields of /proc/<pid>/stat after the command name (index 0 = state, 1 = ppid, 11 = utime,
 * 12 = stime), or undefined once the process exited. Split after the last ')', since the name may
 * hold spaces and parentheses.
 */
export function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The command name of a process (/proc/<pid>/comm), or undefined once it exited. */
function commandName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** CPU ticks (user + system) so far of every live process whose command name is `name`, by pid. */
export function cpuTicksByName(name: string): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids()) {
    if (commandName(pid) !== name) continue;
    const f = statFields(pid);
    if (f) ticks.set(pid, Number(f[11]) + Number(f[12]));
  }
  return ticks;
}

/**
 * CPU seconds the processes named in two {@link cpuTicksByName} readings used between them: the
 * difference for a process in both, all of it for one started since (e.g. a new PostgreSQL backend).
 * A process that exited in between is not counted (its last ticks are gone with it).
 */
export function cpuSecondsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return ticks / 100; // clock ticks at 100 Hz
}

/** Busy and total CPU time of the whole machine so far (/proc/stat, in clock ticks). */
export function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  // user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
}
