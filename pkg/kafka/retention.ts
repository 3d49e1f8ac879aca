import kafkajs, { type Admin } from 'kafkajs';

// kafkajs is CommonJS and Node cannot see this enum as a named export.
const { ConfigResourceTypes } = kafkajs;

/** The time-based retention settings of a topic, as the broker applies them (overrides or defaults). */
export interface TopicRetention {
  /** retention.ms; -1 keeps messages forever. */
  readonly retentionMs: number;
  /** segment.ms: how long the active segment stays open before it rolls. */
  readonly segmentMs: number;
}

/** Reads retention.ms and segment.ms of `topic` (its effective values) with DescribeConfigs. */
export async function readTopicRetention(admin: Admin, topic: string): Promise<TopicRetention> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'segment.ms'] },
    ],
  });
  const resource = resources[0];
  if (!resource || resource.errorCode !== 0)
    throw new Error(`cannot describe topic ${topic}: ${resource?.errorMessage ?? 'no answer'}`);
  const value = (name: string): number => {
    const entry = resource.configEntries.find((e) => e.configName === name);
    const n = Number(entry?.configValue);
    if (!entry || !Number.isFinite(n)) throw new Error(`topic ${topic} reports no numeric ${name}`);
    return n;
  };
  return { retentionMs: value('retention.ms'), segmentMs: value('segment.ms') };
}

const DAY_MS = 86_400_000;

/**
 * Why `topic` may keep a message longer than deduplication remembers its id, or null when it cannot.
 * Kafka deletes whole segments, and a segment only once its newest message is past retention.ms, so
 * a message can live up to retention.ms + segment.ms. An event id is forgotten `windowDays` after the
 * event was processed (never before it was written), so redeliveries are recognised as long as
 * retention.ms + segment.ms <= windowDays. Kafka's defaults (7 d + 7 d) fit the default 14 days.
 */
export function retentionProblem(topic: string, r: TopicRetention, windowDays: number): string | null {
  const windowMs = windowDays * DAY_MS;
  const fix =
    `lower the topic's retention.ms (and segment.ms) or raise PROCESSED_EVENTS_RETENTION_DAYS; a message ` +
    `redelivered after its event id was purged (offsets reset, consumer group re-created) would be counted twice`;
  if (r.retentionMs < 0)
    return `Kafka topic ${topic} keeps messages forever (retention.ms=-1), longer than PROCESSED_EVENTS_RETENTION_DAYS=${windowDays}: ${fix}`;
  const longest = r.retentionMs + r.segmentMs;
  if (longest <= windowMs) return null;
  return (
    `Kafka topic ${topic} can keep a message up to ${(longest / DAY_MS).toFixed(2)} days ` +
    `(retention.ms=${r.retentionMs} + segment.ms=${r.segmentMs}), longer than ` +
    `PROCESSED_EVENTS_RETENTION_DAYS=${windowDays}: ${fix}`
  );
}
