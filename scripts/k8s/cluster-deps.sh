#!/usr/bin/env bash
# Installs (once) the Debian packages the single-node cluster needs (scripts/k8s/cluster.sh):
# docker.io (image builds only), containerd + runc, containernetworking-plugins, debootstrap (the
# registry-free base image), iptables, conntrack, jq (the runc wrapper), gcc (the static pause binary).
# Skips apt entirely when everything is present; fails loudly when it cannot install.
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1 || [[ -x "$1" ]]; }
have dockerd || need+=(docker.io)
have containerd || need+=(containerd)
have runc || need+=(runc)
have /usr/lib/cni/bridge || need+=(containernetworking-plugins)
have debootstrap || need+=(debootstrap)
have iptables || need+=(iptables)
have conntrack || need+=(conntrack)
have jq || need+=(jq)
have gcc || need+=(gcc libc6-dev)
((${#need[@]} == 0)) && exit 0
[[ $EUID -eq 0 ]] || { echo "cluster-deps: missing ${need[*]}; run as root or apt-get install them" >&2; exit 1; }
echo "cluster-deps: apt-get install ${need[*]}" >&2
# shellcheck source=scripts/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/apt.sh"
apt_install "${need[@]}"
