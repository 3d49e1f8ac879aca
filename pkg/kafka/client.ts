import { Kafka, logLevel, type LogEntry, type logCreator, type RetryOptions } from 'kafkajs';
import type { Logger } from '../log/index.js';
import { fixIdleRequestQueueLoop } from './request-queue.js';

/** Options of {@link createKafka}. */
export interface KafkaClientOptions {
  /** Bootstrap servers, e.g. ['127.0.0.1:19092']. */
  readonly brokers: readonly string[];
  /** Client id sent to the broker (shows in broker logs and quotas). @default catcast */
  readonly clientId?: string;
  readonly logger: Logger;
  /** TCP connect timeout per broker in ms. @default 3000 */
  readonly connectionTimeoutMs?: number;
  /** Request timeout in ms. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Client-level retry policy (connections, metadata, admin). @default 8 retries, 300 ms .. 10 s */
  readonly retry?: RetryOptions;
}

// kafkajs messages we know are expected in our setup and therefore not worth a warning.
const EXPECTED_WARNINGS = [
  // We bound producer retries on purpose (see publisher.ts): a duplicate is acceptable, a hang is not.
  'Limiting retries for the idempotent producer',
];

/**
 * Routes kafkajs log entries into pino, one level quieter than kafkajs: its ERROR lines are mostly
 * retried connection errors (our code logs real failures once, at the top), and its INFO lines are
 * lifecycle chatter.
 */
export function pinoLogCreator(logger: Logger): logCreator {
  const base = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const fields = { namespace, ...extra };
      if (EXPECTED_WARNINGS.some((w) => message.startsWith(w))) {
        base.debug(fields, message);
        return;
      }
      switch (level) {
        case logLevel.ERROR:
        case logLevel.WARN:
          base.warn(fields, message);
          break;
        case logLevel.INFO:
          base.debug(fields, message);
          break;
        default:
          base.trace(fields, message);
      }
    };
}

function kafkajsLevel(logger: Logger): logLevel {
  // kafkajs filters before calling the log creator; only ask it for what pino would print.
  if (logger.isLevelEnabled('trace')) return logLevel.DEBUG;
  if (logger.isLevelEnabled('debug')) return logLevel.INFO;
  if (logger.isLevelEnabled('warn')) return logLevel.WARN;
  return logLevel.NOTHING;
}

/** Creates a kafkajs client whose logs go to pino and whose retries survive a short broker outage. */
export function createKafka(options: KafkaClientOptions): Kafka {
  const {
    brokers,
    clientId = 'catcast',
    logger,
    connectionTimeoutMs = 3000,
    requestTimeoutMs = 30_000,
    retry = { initialRetryTime: 300, maxRetryTime: 10_000, retries: 8 },
  } = options;
  if (brokers.length === 0) throw new Error('cannot create a Kafka client without brokers');
  fixIdleRequestQueueLoop();
  return new Kafka({
    brokers: [...brokers],
    clientId,
    connectionTimeout: connectionTimeoutMs,
    requestTimeout: requestTimeoutMs,
    retry,
    logLevel: kafkajsLevel(logger),
    logCreator: pinoLogCreator(logger),
  });
}
