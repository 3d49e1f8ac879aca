import { listenOnChannel } from '../db/index.js';
import type { Logger } from '../log/index.js';

/** The notification channel on which every apply names the aggregate periods it changed. */
export const CHANGES_CHANNEL = 'catcast_aggregates_changed';

/** One aggregate period (all categories of it) that a committed batch changed. */
export interface ChangedPeriod {
  readonly merchantId: string;
  readonly bucketType: string;
  /** YYYY-MM-DD */
  readonly bucketStart: string;
}

// PostgreSQL refuses payloads of 8,000 bytes or more; a batch's periods are split into several.
const MAX_PAYLOAD_BYTES = 7_000;

/**
 * The notification payloads naming `periods`: one line per period (merchant, bucket type, bucket
 * start separated by tabs; platform ids contain neither tabs nor newlines), lines packed into
 * payloads below PostgreSQL's limit.
 */
export function encodeChanges(periods: Iterable<ChangedPeriod>): string[] {
  const payloads: string[] = [];
  let current = '';
  let bytes = 0;
  for (const p of periods) {
    const line = `${p.merchantId}\t${p.bucketType}\t${p.bucketStart}`;
    const size = Buffer.byteLength(line) + 1;
    if (bytes > 0 && bytes + size > MAX_PAYLOAD_BYTES) {
      payloads.push(current);
      current = '';
      bytes = 0;
    }
    current = bytes === 0 ? line : `${current}\n${line}`;
    bytes += size;
  }
  if (bytes > 0) payloads.push(current);
  return payloads;
}

/** The periods named by one payload of {@link encodeChanges}; malformed lines are skipped. */
export function decodeChanges(payload: string): ChangedPeriod[] {
  const out: ChangedPeriod[] = [];
  for (const line of payload.split('\n')) {
    const [merchantId, bucketType, bucketStart, extra] = line.split('\t');
    if (!merchantId || !bucketType || !bucketStart || extra !== undefined) continue;
    out.push({ merchantId, bucketType, bucketStart });
  }
  return out;
}

/**
 * Sends the payloads on {@link CHANGES_CHANNEL} inside the apply's transaction: PostgreSQL delivers
 * them when (and only if) it commits, in commit order.
 */
export const NOTIFY_CHANGES_SQL = `SELECT pg_notify('${CHANGES_CHANNEL}', p) FROM unnest($1::text[]) AS p`;

/** Options of {@link listenForChanges}. */
export interface ChangesListenerOptions {
  /** The primary (notifications are not sent by a replica); LISTEN holds its own session. */
  readonly connectionString: string;
  /** Called with the periods of every notification. */
  readonly onChanges: (periods: ChangedPeriod[]) => void;
  /** Called with true once LISTEN is active, with false when the connection broke. */
  readonly onLive: (live: boolean) => void;
  readonly logger: Logger;
}

/** Listens to the aggregates' change notifications until `signal` aborts, reconnecting with backoff. */
export function listenForChanges(options: ChangesListenerOptions, signal: AbortSignal): Promise<void> {
  const { onChanges, onLive } = options;
  return listenOnChannel(
    {
      connectionString: options.connectionString,
      channel: CHANGES_CHANNEL,
      applicationName: 'catcast-aggregator-listen',
      logger: options.logger.child({ component: 'changes-listener' }),
      onNotification: (payload) => onChanges(decodeChanges(payload)),
      onConnected: () => onLive(true),
      onLost: () => onLive(false),
    },
    signal,
  );
}
