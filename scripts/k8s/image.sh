#!/usr/bin/env bash
# Builds the catcast image (`make image`) with BuildKit.
#
#   scripts/k8s/image.sh IMAGE [--save FILE]
#
# Where the Docker base image comes from (K8S_BASE):
#   registry  the Dockerfile's default NODE_IMAGE (node:20.20-slim), pulled as usual (a laptop);
#   local     scripts/k8s/base-image.sh builds a Node 20 base from Debian packages and this machine's
#             Node, passed as --build-arg NODE_IMAGE=...: no registry is needed;
#   auto      (default) registry when a Docker Engine already answers, else local with the project's
#             own dockerd (scripts/k8s/dockerd.sh) — a machine without a running Docker is treated as
#             one without a registry.
# --save FILE writes the image as a `docker save` archive (what the local cluster imports into
# containerd). A dockerd started here is stopped again before exiting (CATCAST_KEEP_DOCKERD=1 keeps it).
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
IMAGE=${1:?usage: $0 IMAGE [--save FILE]}
SAVE=
[[ "${2:-}" == --save ]] && SAVE=${3:?--save needs a file}
K8S_BASE=${K8S_BASE:-auto}

log() { printf '[image] %s\n' "$*" >&2; }

started_dockerd=0
cleanup() {
  if ((started_dockerd)) && [[ "${CATCAST_KEEP_DOCKERD:-0}" != 1 ]]; then
    "$SCRIPT_DIR/dockerd.sh" down
  fi
}
trap cleanup EXIT

if [[ "$K8S_BASE" == auto ]]; then
  if [[ -z "${DOCKER_HOST:-}" ]] && docker version >/dev/null 2>&1; then K8S_BASE=registry; else K8S_BASE=local; fi
fi

build_args=()
if [[ "$K8S_BASE" == local ]]; then
  # Debian's 20.10 client has BuildKit built in; a newer client without buildx would fall back to
  # the legacy builder, which refuses `COPY --chmod`.
  export DOCKER=${DOCKER:-/usr/bin/docker}
  if [[ -z "${DOCKER_HOST:-}" ]] || ! "$DOCKER" version >/dev/null 2>&1; then
    "$SCRIPT_DIR/dockerd.sh" status || { "$SCRIPT_DIR/dockerd.sh" up && started_dockerd=1; }
    eval "$("$SCRIPT_DIR/dockerd.sh" env)"
  fi
  base=$("$SCRIPT_DIR/base-image.sh")
  build_args=(--build-arg "NODE_IMAGE=$base")
  log "base image $base (local, no registry)"
else
  DOCKER=${DOCKER:-docker}
fi

start=$SECONDS
DOCKER_BUILDKIT=1 "$DOCKER" build "${build_args[@]}" -t "$IMAGE" "$REPO_ROOT"
log "$IMAGE built in $((SECONDS - start))s"
if [[ -n "$SAVE" ]]; then
  mkdir -p "$(dirname "$SAVE")"
  "$DOCKER" save -o "$SAVE.tmp" "$IMAGE"
  mv -f "$SAVE.tmp" "$SAVE"
  log "$IMAGE saved to $SAVE"
fi
