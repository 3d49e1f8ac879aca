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
