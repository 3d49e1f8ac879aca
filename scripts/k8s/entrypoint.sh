#!/bin/sh
# Image entrypoint: `catcast-entrypoint <binary> [args...]` runs dist/cmd/<binary>/main.js.
# exec makes node PID 1, so SIGTERM from the kubelet reaches the binary's own shutdown handler.
# NODE_OPTIONS (e.g. --import ./dist/pkg/telemetry/preload.js) comes from the environment.
# CATCAST_APP_DIR (default /app) is where dist/ lives: the benchmark runs the services through this
# script from a checkout, so it measures them with the image's flags.
set -eu

usage() {
  echo "usage: catcast-entrypoint <ingest|relay|aggregator|forecast-api|forecast-job|forecast-eval|migrate|simulator|lag-metrics|catcast> [args...]" >&2
}

if [ "$#" -lt 1 ] || [ "$1" = "--help" ] || [ "$1" = "-h" ]; then
  usage
  exit 64
fi

name=$1
shift
case "$name" in
  ingest | relay | aggregator | forecast-api | forecast-job | forecast-eval | migrate | simulator | lag-metrics | catcast) ;;
  *)
    echo "catcast-entrypoint: unknown binary '$name'" >&2
    usage
    exit 64
    ;;
esac

app=${CATCAST_APP_DIR:-/app}
main="$app/dist/cmd/$name/main.js"
if [ ! -f "$main" ]; then
  echo "catcast-entrypoint: $main is missing from this image (was '$name' built?)" >&2
  exit 66
fi
cd "$app"
# The Kafka-facing binaries allocate a fetch or a produce batch at a time at high rates; with V8's
# default 16 MB semi-spaces their young generation alone holds 32 MB. 8 MB measured ~25 MB less peak
# RSS in a 200,000-event drain (aggregator ~230 -> ~207 MB, relay 226 -> 204 MB) at the same CPU per
# event (bench/, BENCHMARKS.md item 6); forecast-api under the 10,000-merchant read mix peaked at
# 219 MB instead of 238 MB. A --max-semi-space-size in NODE_OPTIONS takes precedence.
heap_flags=""
case "$name" in
  aggregator | relay | forecast-api)
    case "${NODE_OPTIONS:-}" in
      *--max-semi-space-size*) ;;
      *) heap_flags="--max-semi-space-size=8" ;;
    esac
    ;;
esac
# The read services' old generation: V8 sizes its growth by the heap limit, which it takes from the
# machine's memory, so on a large node the read API let its heap grow to 250-285 MB of RSS under the
# 10,000-merchant read mix before collecting (bench/, BENCHMARKS.md item 4). A limit of half the
# container's memory limit, at most 512 MB, kept the same load at 145-152 MB for 6-14% less
# throughput (standalone runs, 2 cores). A --max-old-space-size in NODE_OPTIONS takes precedence.
case "$name" in
  aggregator | forecast-api)
    case "${NODE_OPTIONS:-}" in
      *--max-old-space-size*) ;;
      *)
        old_mb=512
        limit=""
        if [ -r /sys/fs/cgroup/memory.max ]; then
          limit=$(cat /sys/fs/cgroup/memory.max)
        elif [ -r /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
          limit=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
        fi
        case "$limit" in
          '' | max | *[!0-9]*) ;;
          *)
            half=$((limit / 2097152))
            if [ "$half" -gt 0 ] && [ "$half" -lt "$old_mb" ]; then old_mb=$half; fi
            ;;
        esac
        heap_flags="$heap_flags --max-old-space-size=$old_mb"
        ;;
    esac
    ;;
esac
# CATCAST_NODE_ARGS: extra Node flags that NODE_OPTIONS refuses, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
# to profile a pod (and the benchmark's BENCH_CPU_PROF). Space-separated; no quoting.
# shellcheck disable=SC2086 # heap_flags and CATCAST_NODE_ARGS are space-separated flag lists
exec node $heap_flags ${CATCAST_NODE_ARGS:-} "$main" "$@"
