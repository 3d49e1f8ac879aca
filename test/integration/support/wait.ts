/** Polls `check` until it returns a truthy value or `timeoutMs` passes; the error says what was awaited. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Starts a change listener (`start` is handed the onLive callback to give it) and resolves once it
 * says LISTEN is live, with its run promise wrapped (a promise cannot resolve to a promise: it would
 * wait for the listener to end); rejects if the listener ends before that.
 */
export async function startListening(
  start: (onLive: (live: boolean) => void) => Promise<void>,
): Promise<{ readonly stopped: Promise<void> }> {
  let live!: () => void;
  const isLive = new Promise<void>((r) => (live = r));
  const stopped = start((on) => {
    if (on) live();
  });
  await Promise.race([
    isLive,
    stopped.then(() => {
      throw new Error('the listener ended before LISTEN was live');
    }),
  ]);
  return { stopped };
}
