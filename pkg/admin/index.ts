/** The `catcast` operator CLI: reconcile, dlq replay and development tokens. */
export { runCatcast, CATCAST_USAGE } from './cli.js';
export { EXIT, UsageError, type CommandIo } from './io.js';
export { reconcileEnv } from './reconcile-command.js';
export { dlqEnv } from './dlq-command.js';
