export { applyBatch, type ApplyResult } from './apply.js';
export {
  decodeBatch,
  foldEvents,
  MAX_BIGINT,
  type AggregateDelta,
  type DecodedBatch,
  type DecodedEvent,
  type Fold,
  type FoldableEvent,
  type MerchantWatermark,
  type RejectedMessage,
} from './fold.js';
export {
  createBatchHandler,
  deadLetterSink,
  toDeadLetter,
  type BatchHandlerOptions,
  type DeadLetterSink,
} from './consumer.js';
export { createAggregationMetrics, systemClock, type AggregationMetrics, type Clock } from './metrics.js';
export { purgeProcessedEvents, runRetention, type RetentionOptions } from './retention.js';
export { createAggregatorApi, type AggregatorApiOptions, type Freshness } from './api.js';
export { aggregatorEnv, parseAggregatorConfig, type AggregatorConfig } from './config.js';
export { run, type AggregatorDeps } from './run.js';
export { kafkaWiring, type AggregatorEventDeps, type KafkaWiring } from './kafka.js';
export { aggregatorOpenApi, registerAggregatorRoutes } from './api-schema.js';
export { CATEGORY_SALES_ONE_SQL, CATEGORY_SALES_SQL, TOP_CATEGORIES_SQL } from './read.js';
export { listenForChanges, type ChangesListenerOptions } from './changes.js';
export {
  ResponseCache,
  type AnswerScope,
  type ComputedAnswer,
  type ResponseCacheOptions,
} from './response-cache.js';
