#!/usr/bin/env bash
# Runs a bare Kubernetes control plane (etcd + kube-apiserver, no controllers,
# no nodes) on 127.0.0.1 for integration tests that need a real API server:
# Leases, RBAC, server-side apply and dry-run of our manifests.
#
# Usage: scripts/kube-apiserver.sh up|down|env|clean
#   up     build the binaries if missing (scripts/tools.sh), generate PKI once,
#          start etcd then kube-apiserver, wait until /readyz is ok
#   down   stop both (idempotent); data is kept for the next `up`
#   env    print `export KUBECONFIG=...` (use: eval "$(scripts/kube-apiserver.sh env)")
#   clean  down, then delete the data dir (etcd state and PKI)
#
# Env: KUBE_DATA_DIR (default <repo>/.data/kube), ETCD_PORT (12379),
#      ETCD_PEER_PORT (12380), KUBE_APISERVER_PORT (16443), KUBE_READY_TIMEOUT (90 s).
#
# Nothing runs but the API server, so: no default ServiceAccount appears in new
# namespaces, Deployments create no ReplicaSets, deleted namespaces stay
# Terminating (the namespace controller is absent) and ownerReference cascades do
# not happen. The TokenRequest API does work: `kubectl create token SA`.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
DATA_DIR=${KUBE_DATA_DIR:-$REPO_ROOT/.data/kube}
ETCD_PORT=${ETCD_PORT:-12379}
ETCD_PEER_PORT=${ETCD_PEER_PORT:-12380}
KUBE_APISERVER_PORT=${KUBE_APISERVER_PORT:-16443}
KUBE_READY_TIMEOUT=${KUBE_READY_TIMEOUT:-90}
PKI="$DATA_DIR/pki"
KUBECONFIG_PATH="$DATA_DIR/admin.kubeconfig"

log() { printf '[kube] %s\n' "$*" >&2; }

# shellcheck source=scripts/lib/daemon.sh
source "$SCRIPT_DIR/lib/daemon.sh"
daemon_log() { log "$@"; }

# match NAME: the command line of bin/NAME (checked so that a pid file whose pid was recycled after a
# reboot is not ours; "etcd" alone would also match kube-apiserver's --etcd-servers flag).
match() { printf '(^|/)%s ' "$1"; }

# running NAME: true when NAME's pid file points at a live process of that binary.
running() { daemon_running "$DATA_DIR/$1.pid" "$(match "$1")"; }

# start NAME ARGS...: run bin/NAME detached (own session, survives this shell), a fresh log per start.
start() {
  local name=$1
  shift
  : >"$DATA_DIR/$name.log"
  daemon_start "$DATA_DIR/$name.pid" "$DATA_DIR/$name.log" "$BIN_DIR/$name" "$@"
}

# stop NAME: SIGTERM, wait up to 15 s, then SIGKILL.
stop() { daemon_stop "$DATA_DIR/$1.pid" "$(match "$1")" 15; }

# fail MSG: show the last log lines of both processes, stop them, exit 1.
fail() {
  log "$1"
  local name
  for name in etcd kube-apiserver; do
    [[ -f "$DATA_DIR/$name.log" ]] || continue
    echo "----- tail of $DATA_DIR/$name.log -----" >&2
    tail -n 40 "$DATA_DIR/$name.log" >&2
  done
  stop kube-apiserver
  stop etcd
  exit 1
}

# gen_cert NAME CA SUBJECT EXT: key + certificate signed by CA, EXT as openssl extensions.
gen_cert() {
  local name=$1 ca=$2 subj=$3 ext=$4
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -subj "$subj" \
    -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" \
    -CAcreateserial -days 3650 -sha256 -extfile <(printf '%s\n' "$ext") \
    -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr"
}

# gen_ca NAME CN: self-signed CA.
gen_ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/$1.key" -out "$PKI/$1.crt" \
    -days 3650 -sha256 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# pki: created once per data dir; the apiserver, the admin user and every
# minted ServiceAccount token stay valid across down/up.
pki() {
  [[ -f "$PKI/.done" ]] && return
  command -v openssl >/dev/null || fail "openssl is required to generate certificates"
  rm -rf "$PKI" && mkdir -p "$PKI" && chmod 700 "$PKI"
  gen_ca serving-ca catcast-kube-serving-ca
  gen_ca client-ca catcast-kube-client-ca
  # Serving cert: 127.0.0.1 is how we reach it; the in-cluster names and the
  # first service IP are included so tokens/clients that use them verify too.
  gen_cert apiserver serving-ca "/CN=kube-apiserver" \
    "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1"
  # Admin: group system:masters is bound to cluster-admin by the RBAC bootstrap
  # policy. (--token-auth-file still exists in 1.34, but a cert is what kubeadm
  # and kind use, needs no plaintext secret and survives its eventual removal.)
  gen_cert admin client-ca "/O=system:masters/CN=catcast-admin" \
    "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  touch "$PKI/.done"
}

# kubeconfig: admin credentials embedded, so the file can be copied anywhere.
kubeconfig() {
  local b64='base64 -w0'
  cat >"$KUBECONFIG_PATH.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: catcast-local
  cluster:
    server: https://127.0.0.1:$KUBE_APISERVER_PORT
    certificate-authority-data: $($b64 <"$PKI/serving-ca.crt")
users:
- name: catcast-admin
  user:
    client-certificate-data: $($b64 <"$PKI/admin.crt")
    client-key-data: $($b64 <"$PKI/admin.key")
contexts:
- name: catcast-local
  context:
    cluster: catcast-local
    user: catcast-admin
current-context: catcast-local
EOF
  chmod 600 "$KUBECONFIG_PATH.tmp"
  mv -f "$KUBECONFIG_PATH.tmp" "$KUBECONFIG_PATH"
}

# ready: true when /readyz answers "ok" to the admin user.
ready() {
  [[ "$(curl -sS --max-time 2 --cacert "$PKI/serving-ca.crt" --cert "$PKI/admin.crt" \
    --key "$PKI/admin.key" "https://127.0.0.1:$KUBE_APISERVER_PORT/readyz" 2>/dev/null)" == ok ]]
}

etcd_up() {
  running etcd && return
  daemon_port_open "$ETCD_PORT" && fail "port $ETCD_PORT is taken by another process (set ETCD_PORT)"
  daemon_port_open "$ETCD_PEER_PORT" && fail "port $ETCD_PEER_PORT is taken by another process (set ETCD_PEER_PORT)"
  local client="http://127.0.0.1:$ETCD_PORT" peer="http://127.0.0.1:$ETCD_PEER_PORT"
  (
    # etcd reads every ETCD_* variable as a flag, so ours (ETCD_PORT, ...) and any
    # stray ones are dropped from its environment; the flags are the whole config.
    for v in $(compgen -e); do [[ "$v" == ETCD_* ]] && unset "$v"; done
    # --unsafe-no-fsync: throwaway test data; fsync dominates latency on shared disks.
    start etcd \
      --name catcast --data-dir "$DATA_DIR/etcd" \
      --listen-client-urls "$client" --advertise-client-urls "$client" \
      --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
      --initial-cluster "catcast=$peer" \
      --unsafe-no-fsync --log-level warn
  )
  daemon_wait_for etcd 20 "$(cat "$DATA_DIR/etcd.pid")" etcd_healthy || fail "etcd did not start"
}

etcd_healthy() {
  curl -fsS --max-time 1 "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"'
}

apiserver_up() {
  if running kube-apiserver; then
    ready && return
    stop kube-apiserver # alive but not ready (e.g. a failed start): start afresh
  fi
  daemon_port_open "$KUBE_APISERVER_PORT" && fail "port $KUBE_APISERVER_PORT is taken by another process (set KUBE_APISERVER_PORT)"
  # --authorization-mode=RBAC only: no Node authorizer, there are no kubelets.
  # --service-cluster-ip-range is bookkeeping only; no traffic goes there.
  # Default admission plugins are kept (ServiceAccount included): creating a Pod
  # needs its ServiceAccount to exist first, as in a real cluster, because no
  # controller creates "default" (tests create it, or use dry-run).
  # --endpoint-reconciler-type=none: the default reconciler writes the advertise
  # address into the "kubernetes" Endpoints, which rejects loopback IPs and would
  # log "unable to sync kubernetes service" every 10 s. The Service still exists.
  start kube-apiserver \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 \
    --secure-port="$KUBE_APISERVER_PORT" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/client-ca.crt" \
    --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-cluster-ip-range=10.96.0.0/16 \
    --authorization-mode=RBAC \
    --endpoint-reconciler-type=none \
    --profiling=false \
    --cert-dir="$DATA_DIR/apiserver-certs"
  daemon_wait_for kube-apiserver "$KUBE_READY_TIMEOUT" "$DAEMON_PID" ready || fail "kube-apiserver did not start"
}

cmd_up() {
  local start_s=$SECONDS
  "$SCRIPT_DIR/tools.sh" etcd
  "$SCRIPT_DIR/tools.sh" kube-apiserver
  BIN_DIR=$("$SCRIPT_DIR/tools.sh" path)
  mkdir -p "$DATA_DIR"
  pki
  kubeconfig
  etcd_up
  apiserver_up
  log "ready in $((SECONDS - start_s))s: https://127.0.0.1:$KUBE_APISERVER_PORT (etcd 127.0.0.1:$ETCD_PORT)"
  log "kubeconfig: $KUBECONFIG_PATH   (eval \"\$($0 env)\")"
}

cmd_down() {
  [[ -d "$DATA_DIR" ]] || return 0
  stop kube-apiserver
  stop etcd
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  env) echo "export KUBECONFIG=$KUBECONFIG_PATH" ;;
  clean) cmd_down && rm -rf "$DATA_DIR" ;;
  *) echo "usage: $0 up|down|env|clean" >&2; exit 2 ;;
esac
