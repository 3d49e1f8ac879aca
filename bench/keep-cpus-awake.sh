#!/usr/bin/env bash
# Diagnostic for the read-mix benchmark (BENCHMARKS.md, "Targets missed"): keeps every CPU of a
# virtual machine from halting while a command runs, by running one busy loop per CPU at the lowest
# priority (autogroup nice 19 and nice 19: any other runnable task takes the CPU at once). On a VM
# whose guest has no polling idle driver (/sys/devices/system/cpu/cpuidle/current_driver "none"), a
# halted virtual CPU costs an exit to the hypervisor and a wake-up interrupt each time a process
# sleeps and is woken; a request that crosses four sleeping processes pays that four times.
# Never part of a reported figure unless labelled; not for production nodes (tune the node's idle
# driver there, e.g. cpuidle-haltpoll).
#
# Usage: bench/keep-cpus-awake.sh make bench BENCH_ONLY=readmix
set -euo pipefail
[[ $# -gt 0 ]] || {
  echo "usage: $0 <command> [args...]" >&2
  exit 64
}
pidfile=$(mktemp)
cleanup() {
  xargs -r kill <"$pidfile" 2>/dev/null || true
  rm -f "$pidfile"
}
trap cleanup EXIT
for _ in $(seq "$(nproc)"); do
  # A session of its own: the autogroup nice applies to the spinner's session, not the caller's.
  # shellcheck disable=SC2016 # expanded by the inner shell
  setsid bash -c 'echo $$ >>"$1"; echo 19 >/proc/self/autogroup 2>/dev/null || true
    exec nice -n 19 bash -c "while :; do :; done"' spin "$pidfile" &
done
# Started before the command runs (each spinner records its pid first thing).
for _ in $(seq 50); do
  [[ $(wc -l <"$pidfile") -ge $(nproc) ]] && break
  sleep 0.1
done
"$@"
