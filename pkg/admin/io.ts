/** Where a command writes: stdout for results, stderr for progress and errors. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Exit codes of `catcast`. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** reconcile found drift (also when --repair rewrote it). */
  drift: 3,
} as const;

/** A bad command line; the message says what to fix. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** JSON.stringify that writes bigints as decimal strings (money and counts stay exact). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
