export {
  replayDeadLetters,
  originalOf,
  DLQ_HEADERS,
  type ReplayOptions,
  type ReplayResult,
  type ReplayedMessage,
} from './replay.js';
