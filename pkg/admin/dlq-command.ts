import { parseArgs } from 'node:util';
import { z } from 'zod';
import { kafkaEnv, parseEnv } from '../config/index.js';
import { replayDeadLetters } from '../kafka/index.js';
import { createKafka, KafkaPublisher } from '../kafka/index.js';
import type { Logger } from '../log/index.js';
import { EXIT, UsageError, toJson, type CommandIo } from './io.js';

/** Environment of `catcast dlq`. */
export const dlqEnv = z.object({
  ...kafkaEnv,
  /** Consumer group that remembers how far `catcast dlq replay` got. @default catcast-dlq-replay */
  DLQ_REPLAY_GROUP: z.string().default('catcast-dlq-replay'),
});

/** Usage of `catcast dlq`. */
export const DLQ_USAGE = `catcast dlq replay [--max N] [--dry-run] [--json] [--group NAME]
  Reads KAFKA_DLQ_TOPIC from where the replay group stopped (the beginning, the first time) up to its
  end at the start, and re-publishes each message's original key, value and headers (without the
  catcast_dlq_* headers) to KAFKA_TOPIC, committing after each acknowledged batch. The aggregator
  applies what is valid now and dead-letters again what is still invalid (a later replay sees those).
  --dry-run lists what would be replayed and commits nothing.
  Env: KAFKA_BROKERS (required), KAFKA_TOPIC, KAFKA_DLQ_TOPIC, DLQ_REPLAY_GROUP. Exit: 0 done, 2 usage, 1 failure.
`;

/** Runs `catcast dlq <sub-command>`; returns the exit code. */
export async function dlqCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: CommandIo,
  deps: { logger: Logger },
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'replay')
    throw new UsageError(`unknown dlq command ${JSON.stringify(sub ?? '')}\n${DLQ_USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      max: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      group: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const max = values.max === undefined ? undefined : Number(values.max);
  if (max !== undefined && !(Number.isInteger(max) && max >= 0))
    throw new UsageError(`--max must be a whole number >= 0, got ${values.max}`);
  const config = parseEnv(dlqEnv, env);
  if (!config.KAFKA_BROKERS?.length) throw new UsageError('KAFKA_BROKERS must be set for catcast dlq replay');
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `${config.KAFKA_CLIENT_ID}-dlq-replay`,
    logger: deps.logger,
  });
  const publisher = new KafkaPublisher({
    kafka,
    logger: deps.logger,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
  });
  try {
    const result = await replayDeadLetters({
      kafka,
      publisher,
      logger: deps.logger,
      dlqTopic: config.KAFKA_DLQ_TOPIC,
      targetTopic: config.KAFKA_TOPIC,
      groupId: values.group ?? config.DLQ_REPLAY_GROUP,
      dryRun: values['dry-run'],
      ...(max !== undefined ? { max } : {}),
      onMessage: (m) => {
        if (!values.json)
          io.stderr(
            `${values['dry-run'] ? 'would replay' : 'replaying'} ${config.KAFKA_DLQ_TOPIC}[${m.partition}]@${m.offset} key=${m.key ?? ''} event=${m.eventId ?? '?'}: ${m.reason}\n`,
          );
      },
    });
    io.stdout(
      values.json
        ? `${toJson(result)}\n`
        : `${result.dryRun ? 'would replay' : 'replayed'} ${result.replayed} message(s) from ${config.KAFKA_DLQ_TOPIC} to ${config.KAFKA_TOPIC}; ${result.remaining} left\n`,
    );
    return EXIT.ok;
  } finally {
    await publisher.close();
  }
}
