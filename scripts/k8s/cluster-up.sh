#!/usr/bin/env bash
# `make cluster-up` / `make cluster-down`: the whole product on the single-node cluster of
# scripts/k8s/cluster.sh with one command — node started, image built and imported, chart installed
# (Postgres and Kafka outside the cluster, the chart's external mode), simulator traffic — then the
# UI URL. The laptop equivalent is `make kind-up`.
#
# Env: CLUSTER_RELEASE (catcast), CLUSTER_NAMESPACE (catcast), CLUSTER_SIM_ARGS (simulator flags),
#      plus every variable of scripts/k8s/cluster.sh.
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
RELEASE=${CLUSTER_RELEASE:-catcast}
NS=${CLUSTER_NAMESPACE:-catcast}
SIM_ARGS=${CLUSTER_SIM_ARGS:---merchants 3 --days 60 --orders-per-day 20 --rate 2}
DIR=${CATCAST_CLUSTER_DIR:-$REPO_ROOT/.data/cluster}
HELM="$(bash "$REPO_ROOT/scripts/tools.sh" path)/helm"

log() { printf '[cluster-up] %s\n' "$*" >&2; }

up() {
  bash "$REPO_ROOT/scripts/tools.sh" helm
  IMAGE=catcast:dev bash "$SCRIPT_DIR/cluster.sh" up >/dev/null
  eval "$(bash "$SCRIPT_DIR/cluster.sh" env)"
  kubectl get namespace "$NS" >/dev/null 2>&1 || kubectl create namespace "$NS" >/dev/null
  kubectl -n "$NS" create secret generic catcast-db --from-literal=url="$CATCAST_CLUSTER_DATABASE_URL" \
    --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  "$HELM" upgrade --install "$RELEASE" "$REPO_ROOT/charts/catcast" -n "$NS" \
    -f "$REPO_ROOT/test/cluster/values.yaml" --set image.tag=dev \
    --set kafka.brokers="$CATCAST_CLUSTER_KAFKA_BROKERS" --wait --timeout 10m
  # No --logs: the test pod's hook-succeeded delete policy removes it before helm reads its logs.
  "$HELM" test "$RELEASE" -n "$NS"
  local ingest ui
  ingest=$(kubectl -n "$NS" get svc "$RELEASE-ingest" -o jsonpath='{.spec.clusterIP}')
  ui=$(kubectl -n "$NS" get svc "$RELEASE-forecast-api" -o jsonpath='{.spec.clusterIP}')
  if ! kill -0 "$(cat "$DIR/run/simulator.pid" 2>/dev/null)" 2>/dev/null; then
    # Its own session, and the pid file written by the process itself: `down` stops the whole group.
    # shellcheck disable=SC2016,SC2086 # $$ and "$@" are the inner shell's; SIM_ARGS is a flag list
    setsid bash -c 'echo $$ >"$1"; shift; cd "$1"; shift; exec npx tsx cmd/simulator/main.ts "$@"' _ \
      "$DIR/run/simulator.pid" "$REPO_ROOT" --ingest-url "http://$ingest:8081" --progress plain $SIM_ARGS \
      >"$DIR/log/simulator.log" 2>&1 </dev/null &
  fi
  log "simulator sending orders to http://$ingest:8081 (log: $DIR/log/simulator.log)"
  log "kubectl: eval \"\$(scripts/k8s/cluster.sh env)\"   (KUBECONFIG=$KUBECONFIG)"
  # The chart's Ingress (class traefik, any host in these values) through the node's Traefik.
  echo "catcast UI through the ingress: http://$(kubectl -n catcast-system get svc traefik -o jsonpath='{.spec.clusterIP}')/ui/"
  echo "catcast UI: http://$ui:8090/ui   (read API: http://$(kubectl -n "$NS" get svc "$RELEASE-aggregator-api" -o jsonpath='{.spec.clusterIP}'):8082/api, ingest: http://$ingest:8081/v1)"
}

down() {
  local pid
  pid=$(cat "$DIR/run/simulator.pid" 2>/dev/null || true)
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -- "-$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 -- "-$pid" 2>/dev/null || true
    log "simulator stopped"
  fi
  rm -f "$DIR/run/simulator.pid"
  bash "$SCRIPT_DIR/cluster.sh" down
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
