-- Up Migration
-- A run's leader stamps heartbeat_at while it holds the shard lease, so forecast-api can tell a live
-- run from one whose leader died, with either lease store (Kubernetes Leases are not in Postgres).
-- A run counts as led while heartbeat_at + lease_duration_seconds is in the future.
ALTER TABLE forecasting.forecast_runs
  ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN lease_duration_seconds integer NOT NULL DEFAULT 15 CHECK (lease_duration_seconds > 0);
UPDATE forecasting.forecast_runs SET heartbeat_at = COALESCE(finished_at, started_at);

-- Down Migration
ALTER TABLE forecasting.forecast_runs DROP COLUMN heartbeat_at, DROP COLUMN lease_duration_seconds;
