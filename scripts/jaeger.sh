#!/usr/bin/env bash
# Runs Jaeger v2 all-in-one (in-memory storage) on 127.0.0.1 so services and
# tests can export OTLP traces and read them back through the query API.
#
# Usage: scripts/jaeger.sh up|down|env
#   up    build jaeger if missing (scripts/tools.sh), start it, wait for health
#   down  stop it (idempotent)
#   env   print the OTEL_EXPORTER_OTLP_ENDPOINT / JAEGER_QUERY_URL exports
#
# Env: JAEGER_DATA_DIR (default <repo>/.data/jaeger), JAEGER_OTLP_GRPC_PORT (4317),
#      JAEGER_OTLP_HTTP_PORT (4318), JAEGER_QUERY_PORT (16686),
#      JAEGER_QUERY_GRPC_PORT (16685), JAEGER_HEALTH_PORT (13133),
#      JAEGER_METRICS_PORT (8888), JAEGER_READY_TIMEOUT (30 s).
# The listeners themselves are declared in scripts/jaeger-config.yaml.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
DATA_DIR=${JAEGER_DATA_DIR:-$REPO_ROOT/.data/jaeger}
# Exported: jaeger-config.yaml reads them through ${env:...}.
export JAEGER_OTLP_GRPC_PORT=${JAEGER_OTLP_GRPC_PORT:-4317}
export JAEGER_OTLP_HTTP_PORT=${JAEGER_OTLP_HTTP_PORT:-4318}
export JAEGER_QUERY_PORT=${JAEGER_QUERY_PORT:-16686}
export JAEGER_QUERY_GRPC_PORT=${JAEGER_QUERY_GRPC_PORT:-16685}
export JAEGER_HEALTH_PORT=${JAEGER_HEALTH_PORT:-13133}
export JAEGER_METRICS_PORT=${JAEGER_METRICS_PORT:-8888}
JAEGER_READY_TIMEOUT=${JAEGER_READY_TIMEOUT:-30}
PID_FILE="$DATA_DIR/jaeger.pid"
LOG_FILE="$DATA_DIR/jaeger.log"

log() { printf '[jaeger] %s\n' "$*" >&2; }

# shellcheck source=scripts/lib/daemon.sh
source "$SCRIPT_DIR/lib/daemon.sh"
daemon_log() { log "$@"; }
# The pid file must point at a live jaeger binary (not a recycled pid).
MATCH='(^|/)jaeger '

running() { daemon_running "$PID_FILE" "$MATCH"; }

# healthy: the healthcheckv2 extension answers 200 once every pipeline has started.
healthy() {
  curl -fsS --max-time 1 "http://127.0.0.1:$JAEGER_HEALTH_PORT/status" >/dev/null 2>&1
}

cmd_down() { daemon_stop "$PID_FILE" "$MATCH" 10; }

endpoints() {
  log "OTLP gRPC   127.0.0.1:$JAEGER_OTLP_GRPC_PORT"
  log "OTLP HTTP   http://127.0.0.1:$JAEGER_OTLP_HTTP_PORT  (POST /v1/traces)"
  log "query UI/API http://127.0.0.1:$JAEGER_QUERY_PORT  (GET /api/services, /api/traces?service=...)"
  log "query gRPC  127.0.0.1:$JAEGER_QUERY_GRPC_PORT"
}

cmd_up() {
  local start_s=$SECONDS
  "$SCRIPT_DIR/tools.sh" jaeger
  if running && healthy; then
    log "already running (pid $(cat "$PID_FILE"))"
    endpoints
    return
  fi
  cmd_down
  daemon_ports_free jaeger "$JAEGER_OTLP_GRPC_PORT" "$JAEGER_OTLP_HTTP_PORT" "$JAEGER_QUERY_PORT" \
    "$JAEGER_QUERY_GRPC_PORT" "$JAEGER_HEALTH_PORT" "$JAEGER_METRICS_PORT" ||
    { log "(see the JAEGER_*_PORT variables)"; exit 1; }
  mkdir -p "$DATA_DIR"
  : >"$LOG_FILE"
  daemon_start "$PID_FILE" "$LOG_FILE" "$("$SCRIPT_DIR/tools.sh" path)/jaeger" --config "$SCRIPT_DIR/jaeger-config.yaml"
  if ! daemon_wait_for jaeger "$JAEGER_READY_TIMEOUT" "$DAEMON_PID" healthy; then
    log "tail of $LOG_FILE:"
    tail -n 40 "$LOG_FILE" >&2
    cmd_down
    exit 1
  fi
  log "ready in $((SECONDS - start_s))s (pid $(cat "$PID_FILE"), log $LOG_FILE)"
  endpoints
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  env)
    echo "export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$JAEGER_OTLP_HTTP_PORT"
    echo "export JAEGER_QUERY_URL=http://127.0.0.1:$JAEGER_QUERY_PORT"
    ;;
  *) echo "usage: $0 up|down|env" >&2; exit 2 ;;
esac
