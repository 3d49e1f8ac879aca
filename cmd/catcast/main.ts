// catcast: the operator CLI (reconcile, dlq replay, token). Wiring only; the commands live in pkg/admin.
import { runCatcast } from '../../pkg/admin/index.js';
import { createLogger } from '../../pkg/log/index.js';

const controller = new AbortController();
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => controller.abort());
// Logs (kafkajs, scheduled mode) go to stderr so that stdout carries only the command's result.
const logger = createLogger({
  service: 'catcast',
  level: process.env.LOG_LEVEL ?? 'warn',
  destination: process.stderr,
});
process.exitCode = await runCatcast(
  process.argv.slice(2),
  process.env,
  { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
  { logger, signal: controller.signal },
);
