/**
 * Prometheus metric names the alerts and the dashboard use. They are the contract with the
 * binaries' /metrics (issue [otel], docs/observability.md); rename here and both follow.
 */
export const METRICS = {
  /** Histogram of HTTP server request durations, labels method, route and status (every server). */
  httpDuration: 'catcast_http_request_duration_seconds',
  /** Gauge: age in seconds of the oldest unpublished outbox row (exported by relay and ingest). */
  outboxOldestAge: 'catcast_outbox_oldest_age_seconds',
  /** Gauge: unpublished outbox rows (exported by relay and ingest). */
  outboxBacklog: 'catcast_outbox_backlog',
  /** Gauge: 1 when the last outbox backlog query failed; backlog and age then keep their last value. */
  outboxBacklogQueryFailed: 'catcast_outbox_backlog_query_failed',
  /** Counter: outbox events published and acknowledged (relay). */
  relayPublished: 'catcast_relay_published_total',
  /** Counter: failed publish attempts, one per failed batch (relay). */
  relayPublishErrors: 'catcast_relay_publish_errors_total',
  /** Histogram: outbox rows per relay batch. */
  relayBatchSize: 'catcast_relay_batch_size',
  /**
   * Gauge: consumer lag (log end offset minus committed offset), label partition, plus
   * partition="total". Every exporter (aggregator and relay) reports the whole group: use max, not sum.
   */
  consumerLag: 'catcast_consumer_lag',
  /** Counter: events applied to the aggregates for the first time. */
  eventsApplied: 'catcast_events_applied_total',
  /** Counter: redelivered events skipped as already applied. */
  eventsDuplicate: 'catcast_events_duplicate_total',
  /** Gauge: seconds since the creation time of the newest applied event (per aggregator replica). */
  aggregationFreshness: 'catcast_aggregation_freshness_seconds',
  /** Counter: messages sent to the dead-letter topic, label reason. */
  dlqMessages: 'catcast_dlq_messages_total',
  /** Gauge: unix time of the last successful forecast run, label shard (forecast-api, from forecast_runs). */
  forecastLastSuccess: 'catcast_forecast_last_success_timestamp_seconds',
  /**
   * Gauge: for a shard (of the current shard count) that has never succeeded, the unix time since
   * which it has been due, label shard (forecast-api). Absent once the shard has succeeded.
   */
  forecastPendingSince: 'catcast_forecast_pending_since_timestamp_seconds',
  /** Gauge: duration of the last finished forecast run, labels shard and status. */
  forecastLastDuration: 'catcast_forecast_last_run_duration_seconds',
  /** Gauge: 1 while the newest run of a shard has not finished, label shard. */
  forecastRunRunning: 'catcast_forecast_run_running',
  /**
   * Gauge: 1 while a pod leads the shard (its Postgres lease is held, or its unfinished newest run
   * stamps heartbeats within its lease duration — any lease store), label shard.
   */
  forecastLeaderPresent: 'catcast_forecast_shard_leader_present',
  /** Gauge: leadership changes of a shard lease so far, label shard. */
  forecastLeaseTransitions: 'catcast_forecast_lease_transitions',
  /** Counter: lookups of the read API's response cache, label result (hit, miss). */
  apiCacheLookups: 'catcast_api_response_cache_lookups_total',
  /** Histogram: reads per statement the read APIs sent (pkg/db ReadBatcher), label route. */
  apiReadBatchSize: 'catcast_api_read_batch_size',
  /** Gauge: database pool connections, labels pool and state (total, idle, waiting). */
  dbPool: 'catcast_db_pool_connections',
} as const;
