/**
 * The notification channel on which every write of the aggregates (the aggregator's apply, a
 * reconcile repair) names the aggregate periods it changed, delivered by PostgreSQL at commit. Read
 * processes drop exactly the cached answers and inputs that show those periods.
 */
export const CHANGES_CHANNEL = 'catcast_aggregates_changed';

/** One aggregate period (all categories of it) that a committed transaction changed. */
export interface ChangedPeriod {
  readonly merchantId: string;
  readonly bucketType: string;
  /** YYYY-MM-DD */
  readonly bucketStart: string;
}

/**
 * The bucket type and bucket start of a change that concerns every aggregate of a merchant (its
 * calendar, currency or catalog changed; a repair of a DAY row, which the weeks, months and years
 * holding it are read beneath).
 */
export const EVERY_PERIOD = '*';

/** One string per period, for the change logs of the caches that follow this channel. */
export const changedPeriodKey = (merchantId: string, bucketType: string, bucketStart: string): string =>
  `${merchantId}\u0000${bucketType}\u0000${bucketStart}`;

// PostgreSQL refuses payloads of 8,000 bytes or more; a transaction's periods are split into several.
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
 * Sends the payloads ($1, from {@link encodeChanges}) on {@link CHANGES_CHANNEL} inside the writing
 * transaction: PostgreSQL delivers them when (and only if) it commits, in commit order.
 */
export const NOTIFY_CHANGES_SQL = `SELECT pg_notify('${CHANGES_CHANNEL}', p) FROM unnest($1::text[]) AS p`;
