#!/usr/bin/env bash
# Installs (once, cached) what the integration tests need besides npm packages. Fails loudly.
set -euo pipefail
cd "$(dirname "$0")/.."
# Kafka jars (Maven Central) are fetched by scripts/kafka.sh on first `up`; fetch now so a
# failure names the step.
bash scripts/kafka.sh fetch
bash scripts/install-chromium.sh # UI browser tests (issue 4): Debian chromium, driven by playwright-core
bash scripts/tools.sh jaeger     # observability tests (issue 7): Jaeger v2 all-in-one, built from the Go module proxy
