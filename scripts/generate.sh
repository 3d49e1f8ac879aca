#!/usr/bin/env bash
# `make generate` / `make check-generated`: every committed file that a program writes, regenerated from
# its source in one place.
#
# Usage: scripts/generate.sh            regenerate every generated file (and build the UI bundle)
#        scripts/generate.sh --check    regenerate the committed ones into the tree; exit 1 naming each
#                                       file that changed (or appeared, or vanished): it was stale
#
# Generated and committed (checked):
#   docs/api.md                         scripts/gen-api-docs.ts   (OpenAPI documents + scripts/api-examples.ts)
#   docs/configuration.md               scripts/gen-config-docs.ts (the config schemas)
#   charts/catcast/templates/*.yaml,    cdk8s/helm/generate.ts    (the cdk8s constructs; `make chart`)
#   charts/catcast/dashboards/catcast.json
#   BENCHMARKS.md (its generated table) scripts/gen-benchmarks.ts (bench/results/latest.json)
# Generated, not checked:
#   pkg/ui/static (`make ui`)           a build output, not committed (pkg/ui/.gitignore); built by
#                                       `make generate` so that the tree is complete, skipped by --check
#   cdk8s/dist (`make synth`)           a build output, not committed
#   docs/reliability.md                 a record of a measured run: rendered from the fault suite's
#                                       results (test-results/faults, not committed) with the commit and
#                                       core count of that run, by `make faults` / `make reliability-doc`
#   BENCHMARKS.md's numbers             measured by `make bench`, which rewrites latest.json and the table
# The OpenAPI documents are served by the services (/openapi.json) from pkg/*/openapi.ts; no file.
set -euo pipefail
cd "$(dirname "$0")/.."

# The generators, one command each, and the paths they own (files or directories).
GENERATORS=(
  "npx tsx scripts/gen-api-docs.ts"
  "npx tsx scripts/gen-config-docs.ts"
  "npx tsx cdk8s/helm/generate.ts"
  "npx tsx scripts/gen-benchmarks.ts"
)
GENERATED_PATHS=(docs/api.md docs/configuration.md charts/catcast/templates charts/catcast/dashboards BENCHMARKS.md)

# fingerprint: one "sha256  path" line per file under GENERATED_PATHS, sorted.
fingerprint() {
  find "${GENERATED_PATHS[@]}" -type f -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum
}

run_generators() {
  local g
  for g in "${GENERATORS[@]}"; do
    echo "generate: $g" >&2
    # shellcheck disable=SC2086 # each entry is a command line
    $g >/dev/null
  done
}

case "${1:-}" in
  "")
    run_generators
    echo "generate: npm run build:ui (pkg/ui/static)" >&2
    npm run --silent build:ui >/dev/null
    ;;
  --check)
    before=$(fingerprint)
    run_generators
    after=$(fingerprint)
    if [[ "$before" != "$after" ]]; then
      # Paths whose line differs in either direction: changed, new or removed files.
      mapfile -t stale < <(diff <(echo "$before") <(echo "$after") |
        sed -n 's/^[<>] [0-9a-f]\{64\}  //p' | sort -u)
      echo "check-generated: these generated files were stale and are now regenerated in the tree:" >&2
      printf '  %s\n' "${stale[@]}" >&2
      echo "check-generated: review and commit them (make generate writes the same; sources: scripts/generate.sh)" >&2
      exit 1
    fi
    echo "check-generated: ${#GENERATORS[@]} generators, every generated file up to date" >&2
    ;;
  *)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac
