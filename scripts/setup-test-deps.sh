#!/usr/bin/env bash
# Installs (once, cached) what the integration tests need besides npm packages. Fails loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
# Kafka jars (Maven Central) are fetched by scripts/kafka.sh on first `up`; fetch now so a
# failure names the step.
bash scripts/kafka.sh fetch
bash scripts/install-chromium.sh # UI browser tests (issue 4): Debian chromium, driven by playwright-core
bash scripts/tools.sh idp        # sign-in tests (issue 19): catcast-idp, an OpenID Provider from zitadel/oidc
bash scripts/tools.sh jaeger     # observability tests (issue 7): Jaeger v2 all-in-one, built from the Go module proxy
bash scripts/schemathesis-install.sh >/dev/null # make test-schemathesis: Schemathesis from PyPI in a cached venv
# Kubernetes API tests (issue 6): etcd + kube-apiserver (scripts/kube-apiserver.sh) and helm, built
# from the Go module proxy (the first build takes long; later runs find them cached), the KEDA and
# Prometheus Operator CRDs from their Go modules, and kubectl from the machine image.
bash scripts/tools.sh all
# The single-node cluster (make test-cluster, issue 14): Debian's containerd, CNI plugins, docker.io
# (image builds), debootstrap, ... — installed once; kube components and CoreDNS come from `tools.sh all`.
bash scripts/k8s/cluster-deps.sh
bash scripts/k8s/crds.sh >/dev/null
command -v kubectl >/dev/null || { echo "setup-test-deps: kubectl is required by test/integration/k8s-*.test.ts" >&2; exit 1; }
