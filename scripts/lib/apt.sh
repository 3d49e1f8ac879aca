# shellcheck shell=bash
# scripts/lib/apt.sh - the one way catcast's scripts install Debian packages. apt and dpkg allow one
# process at a time: two of our installers started together (the read-mix benchmark asks for wrk and
# pgbench at once on a fresh machine) made the second fail at once on dpkg's lock. apt_install waits
# instead: our installers queue on one flock, and apt itself waits up to 10 minutes for a lock held by
# anyone else (DPkg::Lock::Timeout). Tries the install from the current package lists first and
# refreshes them only when that fails. Sourced by bench/ensure-*.sh, scripts/install-chromium.sh,
# scripts/lint-shell.sh and scripts/k8s/cluster-deps.sh; tested by scripts/apt.test.ts.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
#   apt_install wrk                                  # apt's output goes to stderr
#
# Only functions and variables prefixed apt_/APT_ are defined; nothing runs on source.

# Where the installers queue; APT_LOCK_WAIT seconds before giving up, naming the lock.
APT_LOCK_FILE=${APT_LOCK_FILE:-${TMPDIR:-/tmp}/catcast-apt.lock}
APT_LOCK_WAIT=${APT_LOCK_WAIT:-900}
# The apt-get command; a test points it at a stand-in.
APT_GET=${APT_GET:-apt-get}

# apt_install PKG...: install the packages (no recommends), waiting for any other installer first.
apt_install() {
  (
    flock -w "$APT_LOCK_WAIT" 9 ||
      { echo "apt_install: waited ${APT_LOCK_WAIT}s for $APT_LOCK_FILE, held by another installer" >&2; exit 1; }
    export DEBIAN_FRONTEND=noninteractive
    local opts=(-y -qq -o DPkg::Lock::Timeout=600)
    "$APT_GET" "${opts[@]}" install --no-install-recommends "$@" >&2 ||
      { "$APT_GET" "${opts[@]}" update >&2 && "$APT_GET" "${opts[@]}" install --no-install-recommends "$@" >&2; }
  ) 9>"$APT_LOCK_FILE"
}
