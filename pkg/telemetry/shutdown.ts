/** What the preload leaves behind so that the process can flush before it exits. */
export interface TelemetryHandle {
  /** Exports buffered spans and stops the SDK. */
  shutdown(): Promise<void>;
}

// The SDK is process-global by nature (the OpenTelemetry API keeps global providers); the preload
// and pkg/process (runMain, which every cmd/<binary>/main.ts calls) may load this module through different URLs (tsx vs dist), hence a
// registry symbol rather than a module variable.
const KEY = Symbol.for('catcast.telemetry.handle');
type Slot = { [KEY]?: TelemetryHandle };

/** Records the running SDK (called by the preload; undefined forgets it, for tests). */
export function registerTelemetry(handle: TelemetryHandle | undefined): void {
  (globalThis as Slot)[KEY] = handle;
}

/** True when the preload started the SDK in this process. */
export function telemetryStarted(): boolean {
  return (globalThis as Slot)[KEY] !== undefined;
}

/**
 * Flushes buffered spans and stops the SDK, waiting at most `timeoutMs`; a no-op when telemetry was
 * not started. pkg/process's runMain calls it last for every binary, after the work finished (or
 * failed) and before its explicit exit, so the spans of the final batch reach the collector.
 */
export async function shutdownTelemetry(timeoutMs = 5_000): Promise<void> {
  const handle = (globalThis as Slot)[KEY];
  if (!handle) return;
  (globalThis as Slot)[KEY] = undefined;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    handle.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
