import pg from 'pg';
import type { Logger } from '../log/index.js';
import { abortableSleep, backoffDelay } from '../retry/index.js';

/** Options of {@link listenOnChannel}. */
export interface ListenOptions {
  /** Connection string of the primary; LISTEN needs its own session (not a pooled one). */
  readonly connectionString: string;
  readonly channel: string;
  /** application_name of the session. */
  readonly applicationName: string;
  readonly logger: Logger;
  /** Called with the payload of every notification. */
  readonly onNotification: (payload: string) => void;
  /** Called after every (re)connect, once LISTEN is active (notifications may have been missed before). */
  readonly onConnected?: () => void;
  /** Called when an active LISTEN connection broke (notifications are missed until onConnected). */
  readonly onLost?: () => void;
  /** Cap of the reconnect backoff in ms. @default 10000 */
  readonly maxBackoffMs?: number;
}

/**
 * Holds a dedicated connection with LISTEN on one channel until `signal` aborts, reconnecting with
 * backoff when it breaks; the callbacks tell the owner when notifications may have been missed.
 */
export async function listenOnChannel(options: ListenOptions, signal: AbortSignal): Promise<void> {
  const { connectionString, channel, onNotification, onConnected, onLost, maxBackoffMs = 10_000 } = options;
  const { logger } = options;
  let failures = 0;
  while (!signal.aborted) {
    const client = new pg.Client({
      connectionString,
      application_name: options.applicationName,
      keepAlive: true,
    });
    const broken = new Promise<Error>((resolve) => {
      client.on('error', resolve);
      client.on('end', () => resolve(new Error('LISTEN connection ended')));
    });
    client.on('notification', (n) => onNotification(n.payload ?? ''));
    let live = false;
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (failures > 0) logger.info({ channel }, 'LISTEN connection restored');
      failures = 0;
      live = true;
      onConnected?.();
      let stop: (() => void) | undefined;
      const aborted = new Promise<undefined>((resolve) => {
        stop = () => resolve(undefined);
        signal.addEventListener('abort', stop, { once: true });
      });
      const result = await Promise.race([broken, aborted]).finally(() => {
        if (stop) signal.removeEventListener('abort', stop);
      });
      if (result) throw result;
    } catch (err) {
      if (live) onLost?.();
      live = false;
      if (signal.aborted) break;
      failures++;
      const delay = backoffDelay(failures, 200, maxBackoffMs);
      logger.warn({ err, channel, retryInMs: delay }, 'LISTEN connection failed; reconnecting');
      await abortableSleep(delay, signal);
    } finally {
      if (live) onLost?.();
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
    }
  }
}

/** A channel whose payloads name changes: where to LISTEN, how the session is known, how to read a payload. */
export interface ChangeChannel<C> {
  readonly channel: string;
  /** application_name of the LISTEN session. */
  readonly applicationName: string;
  /** The `component` of the listener's log lines. */
  readonly component: string;
  /** The changes one payload names (malformed parts skipped). */
  readonly decode: (payload: string) => C[];
}

/** Options of {@link followChanges}. */
export interface ChangeListenerOptions<C> {
  /** The primary (a replica sends no notifications); LISTEN holds its own session. */
  readonly connectionString: string;
  readonly logger: Logger;
  /** Called with the changes of every notification. */
  readonly onChanges: (changes: C[]) => void;
  /**
   * Called with true once LISTEN is active, with false when the connection broke: changes may have
   * been missed until it is live again, so a cache following them forgets what it holds each time.
   */
  readonly onLive: (live: boolean) => void;
}

/**
 * Listens to a {@link ChangeChannel} until `signal` aborts, reconnecting with backoff: hands on the
 * decoded changes of every notification and says when notifications are live (the one shape of
 * the read API's and forecast-api's change listeners).
 */
export function followChanges<C>(
  source: ChangeChannel<C>,
  options: ChangeListenerOptions<C>,
  signal: AbortSignal,
): Promise<void> {
  const { decode } = source;
  const { onChanges, onLive } = options;
  return listenOnChannel(
    {
      connectionString: options.connectionString,
      channel: source.channel,
      applicationName: source.applicationName,
      logger: options.logger.child({ component: source.component }),
      onNotification: (payload) => onChanges(decode(payload)),
      onConnected: () => onLive(true),
      onLost: () => onLive(false),
    },
    signal,
  );
}
