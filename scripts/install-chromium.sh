#!/usr/bin/env bash
# Installs Debian's chromium for the UI's browser tests (idempotent; `npx playwright install` cannot
# download browsers here, so the tests drive the distribution's build through playwright-core).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-chromium: chromium is missing and this is not root; run: sudo apt-get install -y chromium" >&2
  exit 1
fi
# shellcheck source=scripts/lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
apt_install chromium fonts-dejavu-core
command -v chromium >/dev/null
