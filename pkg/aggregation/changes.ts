import { followChanges, type ChangeChannel, type ChangeListenerOptions } from '../db/index.js';
import { CHANGES_CHANNEL, decodeChanges, type ChangedPeriod } from '../events/index.js';

const AGGREGATE_CHANGES: ChangeChannel<ChangedPeriod> = {
  channel: CHANGES_CHANNEL,
  applicationName: 'catcast-aggregator-listen',
  component: 'changes-listener',
  decode: decodeChanges,
};

/** Options of {@link listenForChanges}: called with the periods of every notification, and when LISTEN is live or lost. */
export type ChangesListenerOptions = ChangeListenerOptions<ChangedPeriod>;

/** Listens to the aggregates' change notifications until `signal` aborts, reconnecting with backoff. */
export function listenForChanges(options: ChangesListenerOptions, signal: AbortSignal): Promise<void> {
  return followChanges(AGGREGATE_CHANGES, options, signal);
}
