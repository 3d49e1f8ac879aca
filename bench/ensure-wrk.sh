#!/usr/bin/env bash
# Prints the path of wrk, the benchmark's HTTP load generator, installing Debian's wrk package with
# apt-get when it is missing (the only source of it this machine can reach).
set -euo pipefail
if command -v wrk 2>/dev/null; then exit 0; fi
echo "ensure-wrk: installing wrk with apt-get" >&2
# shellcheck source=scripts/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/apt.sh"
apt_install wrk
command -v wrk
