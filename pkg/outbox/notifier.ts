import type { Queryable } from '../db/index.js';
import { OUTBOX_CHANNEL } from './table.js';

const NOTIFY = `SELECT pg_notify('${OUTBOX_CHANNEL}', '')`;

/**
 * Wakes the relay after orders committed: NOTIFY catcast_outbox in its own tiny transaction, with at
 * most one in flight and every poke that arrives meanwhile folded into one more. PostgreSQL serialises
 * the commits of all transactions that NOTIFY (a database-wide lock held through the commit flush),
 * so notifying inside each order's transaction capped ingest at one WAL flush per order; outside, the
 * orders group-commit and a burst of them costs one or two notifications. The NOTIFY is only a
 * wake-up hint: if it is lost (crash, connection error) the relay's fallback poll finds the rows.
 */
export function createOutboxNotifier(db: Queryable): () => void {
  let inFlight = false;
  let again = false;
  const send = (): void => {
    inFlight = true;
    again = false;
    db.query(NOTIFY).then(
      () => done(),
      () => done(), // a hint only: the relay polls anyway
    );
  };
  const done = (): void => {
    inFlight = false;
    if (again) send();
  };
  return function notifyOutbox(): void {
    if (inFlight) again = true;
    else send();
  };
}
