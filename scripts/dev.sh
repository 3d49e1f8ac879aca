#!/usr/bin/env bash
# `make dev`: build the UI when its sources changed, start Kafka when asked (KAFKA=1), then run the
# supervised development stack (cmd/dev). One Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f pkg/ui/static/index.html ] || [ -n "$(find ui -newer pkg/ui/static/index.html -type f -print -quit)" ]; then
  echo "catcast dev: building the UI"
  npm run -s build:ui >/dev/null
fi
if [ "${KAFKA:-0}" = "1" ] && [ -z "${KAFKA_BROKERS:-}" ]; then
  KAFKA_BROKERS=$(bash scripts/kafka.sh up | tail -n 1)
  export KAFKA_BROKERS
fi
exec node --import tsx cmd/dev/main.ts
