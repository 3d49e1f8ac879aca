export { createKafka, pinoLogCreator, type KafkaClientOptions } from './client.js';
export { KafkaPublisher, PublishError, type KafkaPublisherOptions } from './publisher.js';
export { KafkaSubscriber, toIncomingMessage, type KafkaSubscriberOptions } from './subscriber.js';
export { readConsumerLag, LagReader, type ConsumerLag, type PartitionLag } from './lag.js';
export { DlqPublisher, toDlqMessage, type Rejected } from './dlq.js';
