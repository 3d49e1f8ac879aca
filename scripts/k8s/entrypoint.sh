#!/bin/sh
# Image entrypoint: `catcast-entrypoint <binary> [args...]` runs dist/cmd/<binary>/main.js.
# exec makes node PID 1, so SIGTERM from the kubelet reaches the binary's own shutdown handler.
# NODE_OPTIONS (e.g. --import ./dist/pkg/telemetry/preload.js) comes from the environment.
set -eu

usage() {
  echo "usage: catcast-entrypoint <ingest|relay|aggregator|forecast-api|forecast-job|forecast-eval|migrate|simulator|catcast> [args...]" >&2
}

if [ "$#" -lt 1 ] || [ "$1" = "--help" ] || [ "$1" = "-h" ]; then
  usage
  exit 64
fi

name=$1
shift
case "$name" in
  ingest | relay | aggregator | forecast-api | forecast-job | forecast-eval | migrate | simulator | catcast) ;;
  *)
    echo "catcast-entrypoint: unknown binary '$name'" >&2
    usage
    exit 64
    ;;
esac

main="/app/dist/cmd/$name/main.js"
if [ ! -f "$main" ]; then
  echo "catcast-entrypoint: $main is missing from this image (was '$name' built?)" >&2
  exit 66
fi
cd /app
exec node "$main" "$@"
