/**
 * Kafka header names, following the CloudEvents Kafka protocol binding (binary mode: `ce_` prefixed
 * attributes) plus W3C trace context.
 */
export const HEADERS = {
  id: 'ce_id',
  type: 'ce_type',
  specversion: 'ce_specversion',
  source: 'ce_source',
  time: 'ce_time',
  subject: 'ce_subject',
  dataschema: 'ce_dataschema',
  /** The schema version of the payload as a plain integer string. */
  schemaVersion: 'catcast_schemaversion',
  contentType: 'content-type',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** Written by the aggregator on DLQ messages: why the message was rejected. */
  dlqReason: 'catcast_dlq_reason',
  dlqSourceTopic: 'catcast_dlq_source_topic',
  dlqSourcePartition: 'catcast_dlq_source_partition',
  dlqSourceOffset: 'catcast_dlq_source_offset',
} as const;
