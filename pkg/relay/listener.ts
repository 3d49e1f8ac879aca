import { listenOnChannel } from '../db/index.js';
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
export function listenForOutbox(options: OutboxListenerOptions, signal: AbortSignal): Promise<void> {
  const { connectionString, onNotify, channel = OUTBOX_CHANNEL, maxBackoffMs = 10_000 } = options;
  return listenOnChannel(
    {
      connectionString,
      channel,
      applicationName: 'catcast-relay-listen',
      logger: options.logger.child({ component: 'outbox-listener' }),
      onNotification: () => onNotify(),
      onConnected: onNotify,
      maxBackoffMs,
    },
    signal,
  );
}
