#!/usr/bin/env bash
# Makes a Node 20 base image without any container registry, for machines that cannot pull
# node:20.20-slim: Debian bookworm from Debian's package mirror (debootstrap --variant=minbase,
# `docker import`), plus this machine's own Node 20 (the binary and its bundled npm) on top.
# Prints the image name; `make image` passes it as the Dockerfile's NODE_IMAGE build argument.
#
# The machine's CA bundle ($NODE_EXTRA_CA_CERTS, else /etc/ssl/certs/ca-certificates.crt) goes into
# the base so `npm ci` in the build trusts the same TLS roots as the host. That is a property of this
# local base only: the product Dockerfile is unchanged and a registry base needs none of it.
#
# Cached: each image is built once (its tag carries the Debian suite and the Node version).
# Env: DOCKER (client, default /usr/bin/docker), DOCKER_HOST, DEBIAN_MIRROR, DEBIAN_SUITE.
set -euo pipefail

DOCKER=${DOCKER:-/usr/bin/docker}
SUITE=${DEBIAN_SUITE:-bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
NODE_BIN=$(readlink -f "$(command -v node)")
NODE_VERSION=$("$NODE_BIN" --version) # v20.20.2
DEBIAN_IMAGE="catcast-local/debian:$SUITE"
NODE_IMAGE="catcast-local/node:${NODE_VERSION#v}-$SUITE"

log() { printf '[base-image] %s\n' "$*" >&2; }
have() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

[[ "$NODE_VERSION" == v20.* ]] || { log "node 20 is required on this machine (found $NODE_VERSION)"; exit 1; }

if ! have "$DEBIAN_IMAGE"; then
  command -v debootstrap >/dev/null || { log "debootstrap is missing: apt-get install debootstrap"; exit 1; }
  start=$SECONDS
  root=$(mktemp -d /tmp/catcast-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  log "debootstrap --variant=minbase $SUITE from $MIRROR (once; ~1-3 min)"
  # libstdc++6: node links against it; ca-certificates: TLS roots for npm.
  debootstrap --variant=minbase --include=libstdc++6,ca-certificates "$SUITE" "$root" "$MIRROR" >/tmp/catcast-debootstrap.log 2>&1 || {
    tail -n 20 /tmp/catcast-debootstrap.log >&2
    exit 1
  }
  # Like the official slim images: no package lists or caches in the layer.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -c . | "$DOCKER" import --change 'CMD ["bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$root"
  trap - EXIT
  log "$DEBIAN_IMAGE imported in $((SECONDS - start))s"
fi

if ! have "$NODE_IMAGE"; then
  ctx=$(mktemp -d /tmp/catcast-nodectx.XXXXXX)
  trap 'rm -rf "$ctx"' EXIT
  cp "$NODE_BIN" "$ctx/node"
  npm_dir=$(cd "$(dirname "$NODE_BIN")/.." && pwd)/lib/node_modules/npm
  [[ -d "$npm_dir" ]] || { log "npm not found at $npm_dir"; exit 1; }
  cp -a "$npm_dir" "$ctx/npm"
  cp "${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" "$ctx/ca-certificates.crt"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $DEBIAN_IMAGE
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
DOCKERFILE
  DOCKER_BUILDKIT=1 "$DOCKER" build -q -t "$NODE_IMAGE" "$ctx" >/dev/null
  log "$NODE_IMAGE built"
fi
echo "$NODE_IMAGE"
