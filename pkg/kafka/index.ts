export { createKafka, pinoLogCreator, type KafkaClientOptions } from './client.js';
export { KafkaPublisher, PublishError, type KafkaPublisherOptions } from './publisher.js';
export { KafkaSubscriber, toIncomingMessage, type KafkaSubscriberOptions } from './subscriber.js';
export {
  readConsumerLag,
  LagReader,
  registerConsumerLagMetrics,
  type ConsumerLag,
  type PartitionLag,
  type ConsumerLagMetricsOptions,
} from './lag.js';
export {
  replayDeadLetters,
  originalOf,
  DLQ_HEADERS,
  type ReplayOptions,
  type ReplayResult,
  type ReplayedMessage,
} from './dlq-replay.js';
export { readTopicRetention, retentionProblem, type TopicRetention } from './retention.js';
