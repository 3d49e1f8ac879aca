import path from 'node:path';

/** Repository root. */
export const ROOT = path.resolve(import.meta.dirname, '../../..');
/** Private data (brokers, Postgres clusters) of the fault scenarios; git-ignored. */
export const DATA = path.join(ROOT, '.data', 'faults');
/** Where each scenario writes its result JSON (rendered into docs/reliability.md). */
export const RESULTS = path.join(ROOT, 'test-results', 'faults');

/**
 * `make soak` sets CATCAST_SOAK (a factor, e.g. 5): faults last longer, more kills, more load. The
 * default (1) keeps the whole suite within ~10 minutes on a 2-core machine.
 */
export const SOAK = Math.max(1, Number(process.env.CATCAST_SOAK ?? 1) || 1);
