#!/usr/bin/env bash
# Mutation check of the claims table in docs/reliability.md: for each claim, apply the mutation in
# test/mutations/<name>.patch (the bug the claim rules out) to a throwaway git worktree, run the test
# that backs the claim there, and expect it to FAIL. The first failure line is recorded in
# test/mutations/results/<name>.json (committed: the record the doc is rendered from) and into docs/reliability.md. Not part of `make test`
# (minutes per mutation); run with `make mutations` or `scripts/mutations.sh NAME...`.
# Uses the fault suite's ports (CATCAST_FAULTS_PG_PORT, CATCAST_FAULTS_KAFKA_PORT, ...): do not run it
# beside `make faults` with the same port set.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/test/mutations/results"
CONFIG=test/mutations/vitest.config.ts

# name -> vitest arguments of the test that must go red.
declare -A TEST=(
  [skip-dedupe]="--config $CONFIG test/faults/processes.test.ts -t ^process.faults.under.load.3:"
  [mark-before-ack]="--config $CONFIG test/integration/relay.test.ts -t acknowledged|publishing.fails"
  [drop-currency-check]="--config $CONFIG test/integration/ingest-orders.test.ts -t currency"
  [order-without-event]="--config $CONFIG test/integration/dev-crash.test.ts"
  [ignore-week-start]="--project unit pkg/buckets"
  [no-503-when-db-down]="--config $CONFIG test/faults/postgres.test.ts -t ^Postgres.faults.under.load.4:"
  [async-commit]="--config $CONFIG test/faults/postgres.test.ts -t ^Postgres.faults.under.load.4:"
  [dev-postgres-unsupervised]="--project unit pkg/devstack/postgres.test.ts"
)

names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=("${!TEST[@]}")
mkdir -p "$OUT"
mkdir -p "$ROOT/.data"
WT=$(mktemp -d "$ROOT/.data/mutant-XXXXXX")
chmod 755 "$WT" # the embedded PostgreSQL runs as user postgres and must reach its data dir below
cleanup() { git -C "$ROOT" worktree remove --force "$WT" >/dev/null 2>&1 || rm -rf "$WT"; }
trap cleanup EXIT
git -C "$ROOT" worktree add --detach "$WT" HEAD >/dev/null
ln -s "$ROOT/node_modules" "$WT/node_modules"
# Uncommitted work is what is being checked too: carry the working tree's tracked changes over.
git -C "$ROOT" diff HEAD | { cd "$WT" && git apply --allow-empty; }

# The failure the test reported: its first assertion or oracle violation, else the first error line.
observed() {
  local plain
  plain=$(sed 's/\x1b\[[0-9;]*m//g' "$1" | awk '/FAIL/ { f = 1 } f')
  { grep -m1 -E '(AssertionError|OracleViolation)' <<<"$plain" || grep -m1 -E 'Error' <<<"$plain" || true; } | cut -c1-400
}

# Writes the verdict of one mutation: NAME VERDICT OBSERVED SECONDS -> $OUT/NAME.json.
record() {
  node -e 'const [n, v, o, s] = process.argv.slice(1); process.stdout.write(JSON.stringify({ name: n, verdict: v, observed: o, seconds: Number(s), at: new Date().toISOString() }, null, 2) + "\n")' \
    "$1" "$2" "$3" "$4" >"$OUT/$1.json"
}

status=0
for name in "${names[@]}"; do
  args=${TEST[$name]:-}
  [[ -n "$args" ]] || { echo "unknown mutation $name (known: ${!TEST[*]})" >&2; exit 2; }
  patch="$ROOT/test/mutations/$name.patch"
  start=$SECONDS
  if ! (cd "$WT" && git apply "$patch") 2>"$OUT/$name.log"; then
    # The code the patch breaks has moved: say so for this claim and go on with the others.
    status=1
    echo "[mutations] $name STALE: its patch no longer applies; rewrite test/mutations/$name.patch" >&2
    record "$name" stale "" 0
    continue
  fi
  echo "[mutations] $name: running vitest $args" >&2
  set +e
  rm -f "$OUT/$name.report.json"
  (cd "$WT" && nice npx vitest run $args --reporter=default --reporter=json --outputFile.json="$OUT/$name.report.json") >"$OUT/$name.log" 2>&1
  code=$?
  set -e
  # vitest's exit code is not enough: embedded-postgres' exit hook (async-exit-hook) turns a failed run
  # of a project whose global setup started PostgreSQL into exit 0. Judge by the JSON report: killed
  # means a test ran and failed; no test run at all (a setup that could not start) proves nothing.
  failed=$(node -e 'const r = require(process.argv[1]); console.log(r.numFailedTests)' "$OUT/$name.report.json" 2>/dev/null || echo none)
  (cd "$WT" && git apply -R "$patch")
  # The first assertion/error line vitest printed, as the observed failure.
  observed=$(observed "$OUT/$name.log")
  if [[ "$failed" =~ ^[1-9][0-9]*$ ]]; then
    verdict=killed
    echo "[mutations] $name killed ($failed failed test(s), exit $code) in $((SECONDS - start)) s: $observed" >&2
  elif [[ "$failed" == 0 && $code -eq 0 ]]; then
    verdict=survived
    status=1
    echo "[mutations] $name SURVIVED: the test passed with the bug in place" >&2
  else
    verdict=inconclusive
    status=1
    echo "[mutations] $name INCONCLUSIVE: no test failed but the run did not pass either (setup error?) — see $OUT/$name.log" >&2
  fi
  record "$name" "$verdict" "$observed" "$((SECONDS - start))"
done
exit $status
