import pg from 'pg';
import { abortableSleep, backoffDelay } from '../retry/index.js';
import type { Logger } from '../log/index.js';
import { OUTBOX_CHANNEL } from '../outbox/index.js';

/** Options of {@link listenForOutbox}. */
export interface OutboxListenerOptions {
  /** Connection string of the primary; LISTEN needs its own session (not a pooled one). */
  readonly connectionString: string;
  /** Called on every notification and after every (re)connect (notifications may have been missed). */
  readonly onNotify: () => void;
  readonly logger: Logger;
  /** @default catcast_outbox */
  readonly channel?: string;
  /** Cap of the reconnect backoff in ms. @default 10000 */
  readonly maxBackoffMs?: number;
}

/**
 * Holds a dedicated connection with LISTEN on the outbox channel until `signal` aborts, reconnecting
 * with backoff when it breaks; the relay's fallback poll covers the gaps.
 */
export async function listenForOutbox(options: OutboxListenerOptions, signal: AbortSignal): Promise<void> {
  const { connectionString, onNotify, channel = OUTBOX_CHANNEL, maxBackoffMs = 10_000 } = options;
  const logger = options.logger.child({ component: 'outbox-listener' });
  let failures = 0;
  while (!signal.aborted) {
    const client = new pg.Client({
      connectionString,
      application_name: 'catcast-relay-listen',
      keepAlive: true,
    });
    const broken = new Promise<Error>((resolve) => {
      client.on('error', resolve);
      client.on('end', () => resolve(new Error('LISTEN connection ended')));
    });
    client.on('notification', () => onNotify());
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (failures > 0) logger.info('LISTEN connection restored');
      failures = 0;
      onNotify();
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
      if (signal.aborted) break;
      failures++;
      const delay = backoffDelay(failures, 200, maxBackoffMs);
      logger.warn({ err, retryInMs: delay }, 'LISTEN connection failed; polling until it is back');
      await abortableSleep(delay, signal);
    } finally {
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
    }
  }
}
