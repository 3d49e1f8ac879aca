#!/usr/bin/env bash
# `make lint-shell`: ShellCheck (warnings and errors, sourced files followed) on every tracked *.sh.
# Installs Debian's shellcheck once when it is missing; fails when it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v shellcheck >/dev/null 2>&1; then
  [[ $EUID -eq 0 ]] || { echo "lint-shell: shellcheck is missing; run: sudo apt-get install -y shellcheck" >&2; exit 1; }
  echo "lint-shell: apt-get install shellcheck" >&2
  # shellcheck source=scripts/lib/apt.sh
  source scripts/lib/apt.sh
  apt_install shellcheck
fi
mapfile -t files < <(git ls-files '*.sh')
shellcheck --external-sources --severity=warning "${files[@]}"
echo "lint-shell: ${#files[@]} scripts clean" >&2
