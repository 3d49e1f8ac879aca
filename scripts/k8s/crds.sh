#!/usr/bin/env bash
# Prints the paths of the third-party CRDs that catcast's manifests use, one a line, so that the
# tests can install them into the test kube-apiserver before validating our objects:
#   - KEDA ScaledObject: config/crd/bases/keda.sh_scaledobjects.yaml of the Go module
#     github.com/kedacore/keda/v2 at the release KEDA's chart ships (same version as mk/k8s.mk).
#   - Prometheus Operator ServiceMonitor and PrometheusRule: example/prometheus-operator-crd/ of the
#     Go module github.com/prometheus-operator/prometheus-operator (the CRDs its release bundle holds).
# The modules come from the Go module proxy once and stay in Go's module cache (read-only files);
# the CRDs are the upstream files, unmodified.
set -euo pipefail
KEDA_VERSION=${KEDA_VERSION:-v2.17.2}
PROMETHEUS_OPERATOR_VERSION=${PROMETHEUS_OPERATOR_VERSION:-v0.85.0}

# module_dir MODULE@VERSION: where the module's files are in the module cache (downloads it if needed).
module_dir() {
  local json dir
  # Outside any go.mod/go.work so that no workspace settings apply.
  json=$(cd /tmp && go mod download -json "$1") || {
    echo "crds.sh: go mod download $1 failed: $json" >&2
    exit 1
  }
  dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
  [[ -d "$dir" ]] || { echo "crds.sh: no module directory for $1 in: $json" >&2; exit 1; }
  echo "$dir"
}

keda=$(module_dir "github.com/kedacore/keda/v2@$KEDA_VERSION")
po=$(module_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")
for f in \
  "$keda/config/crd/bases/keda.sh_scaledobjects.yaml" \
  "$po/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" \
  "$po/example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml"; do
  [[ -f "$f" ]] || { echo "crds.sh: $f is missing" >&2; exit 1; }
  echo "$f"
done
