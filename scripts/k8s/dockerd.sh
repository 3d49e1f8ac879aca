#!/usr/bin/env bash
# Starts a Docker Engine for the project on machines where none runs (CI hosts, dev VMs):
# Debian's `dockerd` (package docker.io) on its own socket, data root and exec root, so it never
# touches a system Docker. Image layers and the BuildKit cache live under the data root and survive
# `down`, so a second `make image` is fast.
#
# Usage: scripts/k8s/dockerd.sh up|down|env|status
#   up      start dockerd (idempotent) and wait until it answers
#   down    stop it (SIGTERM, then SIGKILL after 30 s); its data is kept
#   env     print `export DOCKER_HOST=...` for this daemon
#   status  exit 0 when it runs
#
# Env: CATCAST_DOCKER_DIR (default ~/.cache/catcast/docker).
set -euo pipefail

DIR=${CATCAST_DOCKER_DIR:-$HOME/.cache/catcast/docker}
SOCK="$DIR/docker.sock"
PIDFILE="$DIR/dockerd.pid"
EXEC_ROOT=${CATCAST_DOCKER_EXEC_ROOT:-/run/catcast-docker}
# Debian's 20.10 client: it has the classic BuildKit builder (DOCKER_BUILDKIT=1) built in, while a
# newer client without the buildx plugin cannot use BuildKit at all.
DOCKER=${DOCKER:-/usr/bin/docker}

log() { printf '[dockerd] %s\n' "$*" >&2; }

# shellcheck source=scripts/lib/daemon.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/daemon.sh"
daemon_log() { log "$@"; }
# dockerd writes PIDFILE itself; it must name a live dockerd (not a recycled pid).
MATCH='(^|/)dockerd '

running() { daemon_running "$PIDFILE" "$MATCH"; }

answers() { DOCKER_HOST="unix://$SOCK" "$DOCKER" version >/dev/null 2>&1; }

cmd_up() {
  command -v dockerd >/dev/null || {
    log "dockerd is missing: apt-get install docker.io (scripts/setup-test-deps.sh does it on Debian)"
    exit 1
  }
  mkdir -p "$DIR"
  if running && answers; then return 0; fi
  running && cmd_down
  # dockerd sets the FORWARD policy to DROP when it enables forwarding itself; `down` restores it.
  iptables -S FORWARD 2>/dev/null | awk '$1 == "-P" {print $3}' >"$DIR/forward-policy" || true
  cat /proc/sys/net/ipv4/ip_forward >"$DIR/ip_forward"
  log "starting dockerd (data $DIR/data, socket $SOCK)"
  : >"$DIR/dockerd.log"
  daemon_start "" "$DIR/dockerd.log" dockerd --host "unix://$SOCK" --data-root "$DIR/data" \
    --exec-root "$EXEC_ROOT" --pidfile "$PIDFILE"
  daemon_wait_for dockerd 60 "$DAEMON_PID" answers && { log "dockerd ready"; return 0; }
  log "tail of $DIR/dockerd.log:"
  tail -n 30 "$DIR/dockerd.log" >&2
  cmd_down
  exit 1
}

cmd_down() {
  running || { rm -f "$PIDFILE"; return 0; }
  daemon_stop "$PIDFILE" "$MATCH" 30
  # The default bridge dockerd created (it leaves it behind on purpose; nothing else uses it here).
  ip link show docker0 >/dev/null 2>&1 && ip link del docker0 2>/dev/null || true
  if [[ -s "$DIR/forward-policy" ]]; then iptables -P FORWARD "$(cat "$DIR/forward-policy")" || true; fi
  rm -f "$DIR/forward-policy"
  if [[ -s "$DIR/ip_forward" ]]; then cat "$DIR/ip_forward" >/proc/sys/net/ipv4/ip_forward || true; fi
  rm -f "$DIR/ip_forward"
  # Its iptables rules and chains (DOCKER, DOCKER-USER, DOCKER-ISOLATION-STAGE-*), likewise.
  local table rule chain
  for table in filter nat; do
    { iptables -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*(-j DOCKER|docker0)' || true; } | while read -r rule; do
      # shellcheck disable=SC2086 # the rule is re-split into its words on purpose
      iptables -t "$table" ${rule/-A/-D} 2>/dev/null || true
    done
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^DOCKER/ {print $2}'); do
      iptables -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^DOCKER/ {print $2}'); do
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  env) echo "export DOCKER_HOST=unix://$SOCK" ;;
  status) running && answers ;;
  *) echo "usage: $0 up|down|env|status" >&2; exit 2 ;;
esac
