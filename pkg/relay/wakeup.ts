/** A wake-up flag: a `wake()` while nobody waits is remembered, so no notification is lost. */
export class Wakeup {
  #pending = false;
  #waiter: (() => void) | undefined;

  /** Wakes the waiter now, or the next `wait` immediately. */
  wake(): void {
    this.#pending = true;
    this.#waiter?.();
  }

  /** Resolves on a wake-up (also one that came before), after `timeoutMs`, or on abort. */
  wait(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.#pending || signal.aborted) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#waiter = undefined;
        this.#pending = false;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.#waiter = done;
    });
  }
}
