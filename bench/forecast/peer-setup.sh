#!/usr/bin/env bash
# Installs statsforecast (the peer library of the forecast benchmark) into a venv in the tools cache.
set -euo pipefail
VERSION="${STATSFORECAST_VERSION:-2.1.1}"
VENV="${CATCAST_CACHE_DIR:-$HOME/.cache/catcast}/venv-statsforecast"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import statsforecast, sys; sys.exit(statsforecast.__version__ != '$VERSION')" 2>/dev/null; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet "statsforecast==$VERSION"
