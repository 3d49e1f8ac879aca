#!/usr/bin/env bash
# Prints the path of wrk, the benchmark's HTTP load generator, installing Debian's wrk package with
# apt-get when it is missing (the only source of it this machine can reach).
set -euo pipefail
if command -v wrk 2>/dev/null; then exit 0; fi
echo "ensure-wrk: installing wrk with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends wrk >&2 || {
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends wrk >&2
}
command -v wrk
