# shellcheck shell=bash
# scripts/lib/daemon.sh - the one way catcast's scripts run a background daemon: start it detached with
# a pid file, wait for a condition with a deadline (failing early when the process dies), tell whether
# it still runs, and stop it with SIGTERM then SIGKILL. Sourced by scripts/kafka.sh,
# scripts/kube-apiserver.sh, scripts/jaeger.sh and scripts/k8s/*.sh; tested by scripts/daemon.test.ts.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/daemon.sh"
#   daemon_log() { log "$@"; }                       # optional: route messages through the script's log
#   daemon_start "$PID_FILE" "$LOG_FILE" my-server --port 8080
#   daemon_wait_for "my-server" 30 "$DAEMON_PID" daemon_port_open 8080 || { tail "$LOG_FILE"; exit 1; }
#   daemon_running "$PID_FILE" '(^|/)my-server '    # after a restart of the script: same process?
#   daemon_stop "$PID_FILE" '(^|/)my-server ' 15
#
# PATTERN arguments are extended regular expressions matched against the process's command line (its
# arguments joined by spaces). They guard against a pid file that outlived its process, whose pid now
# belongs to something else: without a match the process is treated as not ours, never signalled.
# Only functions and variables prefixed daemon_/DAEMON_ are defined; nothing runs on source.

# daemon_log MSG...: where the library's messages go (stderr). Redefine it after sourcing to add a prefix.
daemon_log() { printf '%s\n' "$*" >&2; }

# daemon_alive PID: true while PID is a live process. A dead child that nobody reaped yet is a zombie,
# which `kill -0` alone would call alive.
daemon_alive() {
  [[ "${1:-}" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$1" 2>/dev/null || return 1
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z ]]
}

# daemon_cmdline PID: the process's command line, arguments joined by spaces.
daemon_cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null; }

# daemon_pid PIDFILE [PATTERN]: prints the pid in PIDFILE when that process is alive and (if given)
# its command line matches PATTERN; otherwise returns 1.
daemon_pid() {
  local pidfile=$1 pattern=${2:-} pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  daemon_alive "$pid" || return 1
  if [[ -n "$pattern" ]]; then
    daemon_cmdline "$pid" | grep -Eq -- "$pattern" || return 1
  fi
  echo "$pid"
}

# daemon_running PIDFILE [PATTERN]: true when daemon_pid finds the process.
daemon_running() { daemon_pid "$@" >/dev/null; }

# daemon_start PIDFILE LOGFILE COMMAND [ARGS...]: runs COMMAND detached in its own session (it outlives
# this shell and does not get the terminal's Ctrl-C), stdin from /dev/null, stdout and stderr appended
# to LOGFILE. Sets DAEMON_PID and writes it to PIDFILE (unless PIDFILE is "", for daemons that write
# their own). Truncate or rotate LOGFILE first when each run should start a fresh log.
daemon_start() {
  local pidfile=$1 logfile=$2
  shift 2
  # With job control on, a background job leads its own process group, and setsid then forks: $!
  # would be a parent that exits at once. Off for the fork, so $! is the daemon itself.
  local monitor=0
  [[ $- == *m* ]] && monitor=1 && set +m
  setsid "$@" </dev/null >>"$logfile" 2>&1 &
  DAEMON_PID=$!
  ((monitor)) && set -m
  if [[ -n "$pidfile" ]]; then echo "$DAEMON_PID" >"$pidfile"; fi
  return 0
}

# daemon_wait_for WHAT SECONDS PID COMMAND [ARGS...]: polls COMMAND (output discarded) until it succeeds.
# Returns 1 with "WHAT did not become ready within SECONDS s" after the deadline, or 2 with "WHAT exited
# while starting" as soon as PID (unless "") is gone. DAEMON_POLL sets the interval (default 0.2 s).
daemon_wait_for() {
  local what=$1 secs=$2 pid=$3
  shift 3
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [[ -n "$pid" ]] && ! daemon_alive "$pid"; then
      daemon_log "$what exited while starting (pid $pid)"
      return 2
    fi
    if ((SECONDS >= deadline)); then
      daemon_log "$what did not become ready within ${secs}s"
      return 1
    fi
    sleep "${DAEMON_POLL:-0.2}"
  done
}

# daemon_port_open PORT [HOST]: true when something accepts TCP connections on HOST (127.0.0.1):PORT.
daemon_port_open() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

# daemon_ports_free WHAT PORT...: returns 1 naming the first PORT on 127.0.0.1 that something already
# listens on ("WHAT: port N on 127.0.0.1 is taken by another process").
daemon_ports_free() {
  local what=$1 port
  shift
  for port in "$@"; do
    if daemon_port_open "$port"; then
      daemon_log "$what: port $port on 127.0.0.1 is taken by another process"
      return 1
    fi
  done
}

# daemon_stop PIDFILE [PATTERN] [SECONDS]: when PIDFILE names our running process (see daemon_pid):
# SIGTERM, wait up to SECONDS (default 15) for it to exit, then SIGKILL. Removes PIDFILE in every case.
# Says "NAME stopped (pid N)" (NAME: PIDFILE's base name without .pid) and, when it came to that,
# "NAME (pid N) still alive after SECONDS s, sent SIGKILL".
daemon_stop() {
  local pidfile=$1 pattern=${2:-} secs=${3:-15} pid name
  name=$(basename "$pidfile" .pid)
  if ! pid=$(daemon_pid "$pidfile" "$pattern"); then
    rm -f "$pidfile"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + secs))
  while daemon_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      daemon_log "$name (pid $pid) still alive after ${secs}s, sent SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      # SIGKILL cannot be ignored; the wait only covers the kernel tearing the process down.
      local i
      for ((i = 0; i < 100; i++)); do
        daemon_alive "$pid" || break
        sleep 0.1
      done
      break
    fi
    sleep 0.1
  done
  rm -f "$pidfile"
  daemon_log "$name stopped (pid $pid)"
}
