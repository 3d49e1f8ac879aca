#!/usr/bin/env bash
# Builds the Go-based test tools (helm, jaeger, etcd, kube-apiserver, promtool,
# kube-score) from the
# Go module proxy. Prebuilt release binaries cannot be downloaded here, so each
# tool is compiled from source with the local Go toolchain.
#
# Usage: scripts/tools.sh [helm|jaeger|etcd|kube-apiserver|kube|coredns|promtool|kube-score|toxiproxy|idp|traefik|metrics-server|all]   (default: all)
#        (kube = kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy)
#        scripts/tools.sh path     # print the bin dir (for PATH=...)
#
# Binaries land in $TOOLS_DIR/bin. TOOLS_DIR defaults to a per-user cache outside
# the repo so that every clone on the same machine reuses one build (the
# kube-apiserver build alone takes many minutes on 2 cores). Each tool is
# skipped when its binary and a matching version marker already exist, so a
# second run is instant. Versions can be overridden with the *_VERSION vars.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# An in-repo .tools/ wins when it exists (opt-in: `mkdir .tools`), otherwise the shared cache.
if [[ -z "${CATCAST_TOOLS_DIR:-}" && -d "$REPO_ROOT/.tools" ]]; then
  CATCAST_TOOLS_DIR="$REPO_ROOT/.tools"
fi
TOOLS_DIR=${CATCAST_TOOLS_DIR:-$HOME/.cache/catcast/tools}
BIN_DIR="$TOOLS_DIR/bin"
SRC_DIR="$TOOLS_DIR/src"

HELM_VERSION=${HELM_VERSION:-v3.22.0}
JAEGER_VERSION=${JAEGER_VERSION:-v1.76.0}
# etcd 3.6 is the line Kubernetes 1.34 is tested against.
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
# 1.34 builds cleanly with Go 1.26; newer minors are untested here.
KUBE_VERSION=${KUBE_VERSION:-v1.34.4}
# CoreDNS for the single-node cluster's Service names (its client-go line matches KUBE_VERSION).
COREDNS_VERSION=${COREDNS_VERSION:-v1.13.1}
# Prometheus publishes its Go module as v0.3XX.Y for release 3.XX.Y (v0.316.0 = 3.16.0).
PROMETHEUS_VERSION=${PROMETHEUS_VERSION:-v0.316.0}
KUBE_SCORE_VERSION=${KUBE_SCORE_VERSION:-v1.20.0}
# Toxiproxy: the TCP fault proxy of the fault suite (latency, resets, blackholes).
TOXIPROXY_VERSION=${TOXIPROXY_VERSION:-v2.5.0}
# The test identity provider (scripts/idp/main.go) is built against this zitadel/oidc release.
ZITADEL_OIDC_VERSION=${ZITADEL_OIDC_VERSION:-v3.52.0}
# The single-node cluster's ingress controller (Kubernetes Ingress provider). v3.7 replaces a
# sub-module with a ./ path that a wrapper module cannot follow, so the 3.6 line.
TRAEFIK_VERSION=${TRAEFIK_VERSION:-v3.6.12}
# Resource metrics (metrics.k8s.io) for the single-node cluster's CPU HPA.
METRICS_SERVER_VERSION=${METRICS_SERVER_VERSION:-v0.8.0}

# Static, stripped, path-independent binaries; CGO off so no C toolchain is needed.
export CGO_ENABLED=0
GO_BUILD_FLAGS=(-trimpath)

log() { printf '[tools] %s\n' "$*" >&2; }

# up_to_date NAME VERSION: true when bin/NAME exists and was built for VERSION.
up_to_date() {
  [[ -x "$BIN_DIR/$1" && -f "$BIN_DIR/.$1.version" && "$(cat "$BIN_DIR/.$1.version")" == "$2" ]]
}

# mark NAME VERSION SECONDS: record the version marker and how long the build took.
mark() {
  printf '%s\n' "$2" >"$BIN_DIR/.$1.version"
  log "$1 $2 built in ${3}s -> $BIN_DIR/$1"
}

# module_gomod MODULE@VERSION: path of that module's go.mod in the module cache.
module_gomod() {
  go mod download -json "$1" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p'
}

# remote_replaces GOMOD: print "old=new@version" for each replace of GOMOD that
# points at a published module. Replace directives of a dependency are ignored by
# Go, so a wrapper module has to repeat them to get the versions upstream tested.
remote_replaces() {
  awk '
    /^replace[[:space:]]*\($/ { inblock = 1; next }
    inblock && /^\)/ { inblock = 0; next }
    { line = $0; sub(/^replace[[:space:]]+/, "", line) }
    (inblock || $1 == "replace") && line ~ /=>/ {
      split(line, side, "=>"); n = split(side[2], rhs, " "); split(side[1], lhs, " ")
      if (n == 2 && rhs[1] !~ /^\.\.?\//) print lhs[1] "=" rhs[1] "@" rhs[2]
    }' "$1"
}

# wrapper_module NAME MODULE VERSION: (re)create $SRC_DIR/NAME, a throwaway module
# that requires MODULE@VERSION. Building through it instead of `go install m@v`
# works even when MODULE's go.mod has replace directives (go install refuses those).
wrapper_module() {
  local name=$1 module=$2 version=$3 dir="$SRC_DIR/$1"
  rm -rf "$dir" && mkdir -p "$dir"
  (
    cd "$dir"
    go mod init "catcast.local/tools/$name" >/dev/null 2>&1
    go mod edit -require="$module@$version"
    local r
    for r in $(remote_replaces "$(module_gomod "$module@$version")"); do
      go mod edit -replace="$r"
    done
  )
}

# go_build NAME PACKAGE VERSION LDFLAGS...: resolve the wrapper's dependencies and
# build PACKAGE (a package inside the module pinned at VERSION).
go_build() {
  local name=$1 pkg=$2 version=$3; shift 3
  (
    cd "$SRC_DIR/$name"
    # `go mod tidy` would drop the require (nothing imports it), so resolve via
    # go get; the explicit @version stops it from upgrading the tool's module.
    go get "$pkg@$version" 2>&1 | grep -v '^go: \(downloading\|added\|upgraded\|finding\)' >&2 || true
    go build "${GO_BUILD_FLAGS[@]}" ${GO_TAGS:+-tags="$GO_TAGS"} -ldflags="-s -w $*" -o "$BIN_DIR/$name.tmp" "$pkg"
  )
  mv -f "$BIN_DIR/$name.tmp" "$BIN_DIR/$name"
}

install_helm() {
  up_to_date helm "$HELM_VERSION" && { log "helm $HELM_VERSION present"; return; }
  local start=$SECONDS
  wrapper_module helm helm.sh/helm/v3 "$HELM_VERSION"
  # Without -X, `helm version` reports only the minor ("v3.22").
  go_build helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" \
    "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  mark helm "$HELM_VERSION" $((SECONDS - start))
}

install_jaeger() {
  up_to_date jaeger "$JAEGER_VERSION" && { log "jaeger $JAEGER_VERSION present"; return; }
  local start=$SECONDS
  # cmd/jaeger is the Jaeger v2 all-in-one (OpenTelemetry-collector based, accepts OTLP).
  # The module ships no built UI assets, so the UI page is a stub; the query API works.
  wrapper_module jaeger github.com/jaegertracing/jaeger "$JAEGER_VERSION"
  go_build jaeger github.com/jaegertracing/jaeger/cmd/jaeger "$JAEGER_VERSION" \
    "-X github.com/jaegertracing/jaeger/internal/version.latestVersion=$JAEGER_VERSION"
  mark jaeger "$JAEGER_VERSION" $((SECONDS - start))
}

install_etcd() {
  up_to_date etcd "$ETCD_VERSION" && { log "etcd $ETCD_VERSION present"; return; }
  local start=$SECONDS
  # The etcd server's main package is the root of module go.etcd.io/etcd/server/v3
  # (server/main.go). Its go.mod replaces sibling modules with ../ paths, which
  # `go install` rejects, hence the wrapper; the siblings resolve to the same tag.
  wrapper_module etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  go_build etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  mark etcd "$ETCD_VERSION" $((SECONDS - start))
}

# kube_wrapper NAME: the k8s.io/kubernetes wrapper module in $SRC_DIR/NAME.
kube_wrapper() {
  local name=$1
  wrapper_module "$name" k8s.io/kubernetes "$KUBE_VERSION"
  # k8s.io/kubernetes requires its staging modules (k8s.io/api, apiserver, ...)
  # as v0.0.0 and replaces them with ./staging/src/... paths. Outside that repo
  # those paths do not exist, so pin each one to its published v0.Y.Z tag.
  local gomod mod staging_version="v0.${KUBE_VERSION#v1.}" # v1.34.4 -> v0.34.4
  gomod=$(module_gomod "k8s.io/kubernetes@$KUBE_VERSION")
  for mod in $(awk '$2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }' "$gomod"); do
    (cd "$SRC_DIR/$name" && go mod edit -replace="$mod=$mod@$staging_version")
  done
}

# kube_ldflags: stamp the version the way the Kubernetes release build does, so
# /version and kubectl version show the real release instead of v0.0.0-master.
kube_ldflags() {
  local minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
  echo "-X k8s.io/component-base/version.gitVersion=$KUBE_VERSION" \
    "-X k8s.io/component-base/version.gitMajor=1" \
    "-X k8s.io/component-base/version.gitMinor=$minor" \
    "-X k8s.io/component-base/version.gitTreeState=clean" \
    "-X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
}

# The node components the single-node cluster (scripts/k8s/cluster.sh) runs beside
# kube-apiserver. One `go build` of all of them shares the compilation of everything
# they have in common (client-go, apimachinery, most of k8s.io/kubernetes/pkg).
KUBE_NODE_COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)

# install_kube: every component of KUBE_NODE_COMPONENTS in one build. Also satisfies
# `tools.sh kube-apiserver` (same binary, same version marker), so it runs under that lock.
install_kube() {
  local c missing=0
  for c in "${KUBE_NODE_COMPONENTS[@]}"; do up_to_date "$c" "$KUBE_VERSION" || missing=1; done
  ((missing)) || { log "kubernetes $KUBE_VERSION components present"; return; }
  local start=$SECONDS name=kube pkgs=()
  kube_wrapper "$name"
  for c in "${KUBE_NODE_COMPONENTS[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  log "building ${KUBE_NODE_COMPONENTS[*]} $KUBE_VERSION in one go build (slow: ~10-30 min cold on 2 cores)"
  (
    cd "$SRC_DIR/$name"
    go get "${pkgs[@]/%/@$KUBE_VERSION}" 2>&1 | grep -v '^go: \(downloading\|added\|upgraded\|finding\)' >&2 || true
    rm -rf "$BIN_DIR/.kube.tmp" && mkdir -p "$BIN_DIR/.kube.tmp"
    # shellcheck disable=SC2046 # kube_ldflags is a flag list
    go build "${GO_BUILD_FLAGS[@]}" -ldflags="-s -w $(kube_ldflags)" -o "$BIN_DIR/.kube.tmp/" "${pkgs[@]}"
  )
  for c in "${KUBE_NODE_COMPONENTS[@]}"; do
    mv -f "$BIN_DIR/.kube.tmp/$c" "$BIN_DIR/$c"
    printf '%s\n' "$KUBE_VERSION" >"$BIN_DIR/.$c.version"
  done
  rmdir "$BIN_DIR/.kube.tmp"
  log "kubernetes ${KUBE_NODE_COMPONENTS[*]} $KUBE_VERSION built in $((SECONDS - start))s -> $BIN_DIR"
}

install_kube_apiserver() {
  up_to_date kube-apiserver "$KUBE_VERSION" && { log "kube-apiserver $KUBE_VERSION present"; return; }
  local start=$SECONDS name=kube-apiserver
  kube_wrapper "$name"
  log "building kube-apiserver $KUBE_VERSION (slow: ~10-25 min on 2 cores)"
  # shellcheck disable=SC2046 # kube_ldflags is a flag list
  go_build "$name" k8s.io/kubernetes/cmd/kube-apiserver "$KUBE_VERSION" $(kube_ldflags)
  mark "$name" "$KUBE_VERSION" $((SECONDS - start))
}

# install_coredns: CoreDNS with only the plugins the local cluster's DNS needs (the upstream
# binary links every plugin, cloud SDKs included, which would triple the build). The main package is
# written here, as CoreDNS documents for custom builds: import the plugins, set the directive order.
# client-go & co. are pinned to the Kubernetes build's versions so the build cache is shared.
install_coredns() {
  up_to_date coredns "$COREDNS_VERSION" && { log "coredns $COREDNS_VERSION present"; return; }
  local start=$SECONDS name=coredns dir="$SRC_DIR/coredns" staging="v0.${KUBE_VERSION#v1.}"
  wrapper_module "$name" github.com/coredns/coredns "$COREDNS_VERSION"
  cat >"$dir/main.go" <<'GO'
// CoreDNS with the plugins of a cluster DNS only (generated by scripts/tools.sh).
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

// The order plugins handle a query in (a subset of CoreDNS's plugin.cfg, same relative order).
func init() {
	dnsserver.Directives = []string{"reload", "bind", "ready", "health", "errors", "log", "cache", "kubernetes", "loop"}
}

func main() { coremain.Run() }
GO
  (
    cd "$dir"
    go get "github.com/coredns/coredns@$COREDNS_VERSION" "k8s.io/client-go@$staging" "k8s.io/api@$staging" \
      "k8s.io/apimachinery@$staging" 2>&1 | grep -v '^go: \(downloading\|added\|upgraded\|finding\)' >&2 || true
    go mod tidy 2>&1 | grep -v '^go: \(downloading\|finding\)' >&2 || true
    go build "${GO_BUILD_FLAGS[@]}" -ldflags="-s -w" -o "$BIN_DIR/$name.tmp" .
  )
  mv -f "$BIN_DIR/$name.tmp" "$BIN_DIR/$name"
  mark "$name" "$COREDNS_VERSION" $((SECONDS - start))
}

install_promtool() {
  up_to_date promtool "$PROMETHEUS_VERSION" && { log "promtool $PROMETHEUS_VERSION present"; return; }
  local start=$SECONDS
  # promtool evaluates alerting rules with Prometheus's own rule engine (`promtool test rules`).
  # The module's go.mod carries replace directives, so `go install` refuses it: wrapper module.
  local release="3.${PROMETHEUS_VERSION#v0.3}"   # v0.316.0 -> 3.16.0
  wrapper_module promtool github.com/prometheus/prometheus "$PROMETHEUS_VERSION"
  # remove_all_sd leaves out the cloud service discoveries (AWS, Azure, GCE, ... SDKs): rule tests
  # need none of them, and they are most of the build time.
  GO_TAGS=remove_all_sd go_build promtool github.com/prometheus/prometheus/cmd/promtool "$PROMETHEUS_VERSION" \
    "-X github.com/prometheus/common/version.Version=$release"
  mark promtool "$PROMETHEUS_VERSION" $((SECONDS - start))
}

install_kube_score() {
  up_to_date kube-score "$KUBE_SCORE_VERSION" && { log "kube-score $KUBE_SCORE_VERSION present"; return; }
  local start=$SECONDS
  wrapper_module kube-score github.com/zegl/kube-score "$KUBE_SCORE_VERSION"
  go_build kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION" \
    "-X main.version=$KUBE_SCORE_VERSION"
  mark kube-score "$KUBE_SCORE_VERSION" $((SECONDS - start))
}

install_toxiproxy() {
  up_to_date toxiproxy-server "$TOXIPROXY_VERSION" && { log "toxiproxy $TOXIPROXY_VERSION present"; return; }
  local start=$SECONDS
  wrapper_module toxiproxy-server github.com/Shopify/toxiproxy/v2 "$TOXIPROXY_VERSION"
  go_build toxiproxy-server github.com/Shopify/toxiproxy/v2/cmd/server "$TOXIPROXY_VERSION" \
    "-X github.com/Shopify/toxiproxy/v2.Version=$TOXIPROXY_VERSION"
  mark toxiproxy-server "$TOXIPROXY_VERSION" $((SECONDS - start))
}

install_idp() {
  # The version marker includes a hash of our own main.go, so an edit to it rebuilds.
  local version
  version="$ZITADEL_OIDC_VERSION-$(sha256sum "$REPO_ROOT/scripts/idp/main.go" | cut -c1-12)"
  up_to_date catcast-idp "$version" && { log "catcast-idp $version present"; return; }
  local start=$SECONDS
  wrapper_module catcast-idp github.com/zitadel/oidc/v3 "$ZITADEL_OIDC_VERSION"
  cp "$REPO_ROOT/scripts/idp/main.go" "$SRC_DIR/catcast-idp/main.go"
  (
    cd "$SRC_DIR/catcast-idp"
    go get "github.com/zitadel/oidc/v3@$ZITADEL_OIDC_VERSION" 2>&1 | grep -v '^go: \(downloading\|added\|upgraded\|finding\)' >&2 || true
    go mod tidy 2>&1 | grep -v '^go: \(downloading\|finding\)' >&2 || true
    go build "${GO_BUILD_FLAGS[@]}" -ldflags="-s -w" -o "$BIN_DIR/catcast-idp.tmp" .
  )
  mv -f "$BIN_DIR/catcast-idp.tmp" "$BIN_DIR/catcast-idp"
  mark catcast-idp "$version" $((SECONDS - start))
}

install_traefik() {
  up_to_date traefik "$TRAEFIK_VERSION" && { log "traefik $TRAEFIK_VERSION present"; return; }
  local start=$SECONDS
  log "building traefik $TRAEFIK_VERSION (slow: ~10 min on 2 cores)"
  wrapper_module traefik github.com/traefik/traefik/v3 "$TRAEFIK_VERSION"
  go_build traefik github.com/traefik/traefik/v3/cmd/traefik "$TRAEFIK_VERSION" \
    "-X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION"
  mark traefik "$TRAEFIK_VERSION" $((SECONDS - start))
}

install_metrics_server() {
  up_to_date metrics-server "$METRICS_SERVER_VERSION" && { log "metrics-server $METRICS_SERVER_VERSION present"; return; }
  local start=$SECONDS
  wrapper_module metrics-server sigs.k8s.io/metrics-server "$METRICS_SERVER_VERSION"
  go_build metrics-server sigs.k8s.io/metrics-server/cmd/metrics-server "$METRICS_SERVER_VERSION"
  mark metrics-server "$METRICS_SERVER_VERSION" $((SECONDS - start))
}

# with_lock NAME FN: one build of a tool at a time, even across clones and shells.
with_lock() {
  mkdir -p "$BIN_DIR" "$SRC_DIR"
  exec {lock_fd}>"$TOOLS_DIR/.$1.lock"
  flock "$lock_fd"
  "$2"
  exec {lock_fd}>&-
}

main() {
  command -v go >/dev/null || { log "go is required (see go.mod toolchain notes)"; exit 1; }
  case "${1:-all}" in
    helm) with_lock helm install_helm ;;
    jaeger) with_lock jaeger install_jaeger ;;
    etcd) with_lock etcd install_etcd ;;
    kube-apiserver) with_lock kube-apiserver install_kube_apiserver ;;
    # kube: every Kubernetes component of the single-node cluster (kube-apiserver included).
    kube) with_lock kube-apiserver install_kube ;;
    coredns) with_lock coredns install_coredns ;;
    promtool) with_lock promtool install_promtool ;;
    kube-score) with_lock kube-score install_kube_score ;;
    toxiproxy) with_lock toxiproxy install_toxiproxy ;;
    idp) with_lock catcast-idp install_idp ;;
    traefik) with_lock traefik install_traefik ;;
    metrics-server) with_lock metrics-server install_metrics_server ;;
    all)
      with_lock helm install_helm
      with_lock jaeger install_jaeger
      with_lock etcd install_etcd
      with_lock kube-apiserver install_kube
      with_lock coredns install_coredns
      with_lock promtool install_promtool
      with_lock kube-score install_kube_score
      with_lock toxiproxy install_toxiproxy
      with_lock catcast-idp install_idp
      with_lock traefik install_traefik
      with_lock metrics-server install_metrics_server
      ;;
    path) echo "$BIN_DIR" ;;
    *) echo "usage: $0 [helm|jaeger|etcd|kube-apiserver|kube|coredns|promtool|kube-score|toxiproxy|idp|traefik|metrics-server|all|path]" >&2; exit 2 ;;
  esac
}

main "$@"
