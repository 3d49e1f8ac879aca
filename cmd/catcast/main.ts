// catcast: the operator CLI (reconcile, dlq replay, token). Wiring only; the commands live in pkg/admin
// and map their own outcomes to exit codes (see `catcast --help`).
import { runCatcast } from '../../pkg/admin/index.js';
import { createLogger } from '../../pkg/log/index.js';
import { runMain } from '../../pkg/process/index.js';

const io = { stdout: (t: string) => process.stdout.write(t), stderr: (t: string) => process.stderr.write(t) };
await runMain({
  name: 'catcast',
  parse: (env, argv) => ({ env, argv }),
  run: ({ env, argv }, signal) => {
    // Logs (kafkajs, scheduled mode) go to stderr so that stdout carries only the command's result.
    const logger = createLogger({
      service: 'catcast',
      level: env.LOG_LEVEL ?? 'warn',
      destination: process.stderr,
    });
    return runCatcast(argv, env, io, { logger, signal });
  },
  shutdownTimeoutSeconds: () => undefined,
});
