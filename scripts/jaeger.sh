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

# running: true when the pid file points at a live jaeger process (not a recycled pid).
running() {
  local pid
  pid=$(cat "$PID_FILE" 2>/dev/null) || return 1
  [[ -n "$pid" && "$(cat "/proc/$pid/comm" 2>/dev/null)" == jaeger ]]
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# healthy: the healthcheckv2 extension answers 200 once every pipeline has started.
healthy() {
  curl -fsS --max-time 1 "http://127.0.0.1:$JAEGER_HEALTH_PORT/status" >/dev/null 2>&1
}

cmd_down() {
  local pid i
  if running; then
    pid=$(cat "$PID_FILE")
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      running || break
      sleep 0.1
    done
    running && kill -9 "$pid" 2>/dev/null || true
    log "stopped (pid $pid)"
  fi
  rm -f "$PID_FILE"
}

endpoints() {
  log "OTLP gRPC   127.0.0.1:$JAEGER_OTLP_GRPC_PORT"
  log "OTLP HTTP   http://127.0.0.1:$JAEGER_OTLP_HTTP_PORT  (POST /v1/traces)"
  log "query UI/API http://127.0.0.1:$JAEGER_QUERY_PORT  (GET /api/services, /api/traces?service=...)"
  log "query gRPC  127.0.0.1:$JAEGER_QUERY_GRPC_PORT"
}

cmd_up() {
  local start_s=$SECONDS port
  "$SCRIPT_DIR/tools.sh" jaeger
  if running && healthy; then
    log "already running (pid $(cat "$PID_FILE"))"
    endpoints
    return
  fi
  cmd_down
  for port in "$JAEGER_OTLP_GRPC_PORT" "$JAEGER_OTLP_HTTP_PORT" "$JAEGER_QUERY_PORT" \
    "$JAEGER_QUERY_GRPC_PORT" "$JAEGER_HEALTH_PORT" "$JAEGER_METRICS_PORT"; do
    if port_busy "$port"; then
      log "port $port on 127.0.0.1 is taken by another process (see the JAEGER_*_PORT variables)"
      exit 1
    fi
  done
  mkdir -p "$DATA_DIR"
  setsid "$("$SCRIPT_DIR/tools.sh" path)/jaeger" --config "$SCRIPT_DIR/jaeger-config.yaml" \
    >"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local deadline=$((SECONDS + JAEGER_READY_TIMEOUT))
  until healthy; do
    if ! running || ((SECONDS >= deadline)); then
      log "jaeger did not become healthy within ${JAEGER_READY_TIMEOUT}s; tail of $LOG_FILE:"
      tail -n 40 "$LOG_FILE" >&2
      cmd_down
      exit 1
    fi
    sleep 0.2
  done
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
