#!/usr/bin/env bash
# Installs Schemathesis (PyPI) into a cached virtualenv under the tools cache and prints the path of
# its `st` binary. A second run with the same version is instant. Fails loudly (no skip) when Python
# 3.11+ or PyPI is missing.
#
# Usage: scripts/schemathesis-install.sh   ->  /root/.cache/catcast/tools/schemathesis-4.32.5/bin/st
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z "${CATCAST_TOOLS_DIR:-}" && -d "$REPO_ROOT/.tools" ]]; then
  CATCAST_TOOLS_DIR="$REPO_ROOT/.tools"
fi
TOOLS_DIR=${CATCAST_TOOLS_DIR:-$HOME/.cache/catcast/tools}
SCHEMATHESIS_VERSION=${SCHEMATHESIS_VERSION:-4.32.5}
VENV="$TOOLS_DIR/schemathesis-$SCHEMATHESIS_VERSION"

if [[ -x "$VENV/bin/st" && -f "$VENV/.installed" ]]; then
  echo "$VENV/bin/st"
  exit 0
fi

PYTHON=${PYTHON:-}
if [[ -z "$PYTHON" ]]; then
  for p in python3.13 python3.12 python3.11 python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      PYTHON=$(command -v "$p")
      break
    fi
  done
fi
[[ -n "$PYTHON" ]] || { echo "schemathesis-install: Python >= 3.10 is required" >&2; exit 1; }

mkdir -p "$TOOLS_DIR"
# One installer at a time: two test runs on one machine must not build the same venv twice.
exec 9>"$TOOLS_DIR/.schemathesis.lock"
flock 9
if [[ ! -f "$VENV/.installed" ]]; then
  echo "[tools] installing schemathesis $SCHEMATHESIS_VERSION into $VENV" >&2
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" >&2
  "$VENV/bin/st" --version >&2
  touch "$VENV/.installed"
fi
echo "$VENV/bin/st"
