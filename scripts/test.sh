#!/usr/bin/env bash
# `make test`: lint, type-check, then every suite named below against real dependencies.
# Prints one closing line "N passed, N failed" summed over every suite (a check that is a make target,
# not a vitest project, counts as one test).
set -euo pipefail
cd "$(dirname "$0")/.."
results=.data/test-results
mkdir -p "$results"
rm -f "$results"/*.json

# The suites, in order. vitest projects (vitest.config.ts) and make targets (mk/*.mk) are listed
# explicitly; a `test-*` target in mk/*.mk that is missing here fails the run, so none is forgotten.
VITEST_SUITES=(unit integration faults login cluster)
MAKE_SUITES=(test-k8s test-kube-score test-alerts test-schemathesis test-bench-smoke)

declared=$(grep -hoE '^test-[a-z0-9-]+:' mk/*.mk | tr -d ':' | sort)
# A test-<project> target that only runs a vitest project (e.g. test-login) is covered by that project.
listed=$(printf '%s\n' "${MAKE_SUITES[@]}" "${VITEST_SUITES[@]/#/test-}" | sort)
missing=$(comm -23 <(echo "$declared") <(echo "$listed"))
if [[ -n "$missing" ]]; then
  echo "scripts/test.sh: test targets not in its suite list: $missing" >&2
  exit 1
fi

echo "== lint"
npx tsc -p tsconfig.json --noEmit
npx eslint . --max-warnings 0
npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }
bash scripts/lint-shell.sh # ShellCheck on every tracked *.sh (installs Debian's shellcheck once)
# Every committed generated file matches its generator (scripts/generate.sh names the stale ones).
bash scripts/generate.sh --check

echo "== tools"
bash scripts/setup-test-deps.sh

status=0

# vitest_suite PROJECT: one vitest project, its results as JSON for the closing line.
vitest_suite() {
  echo "== $1"
  npx vitest run --project "$1" --reporter=default --reporter=json --outputFile.json="$results/$1.json" || status=1
}

# make_suite TARGET: one make target, recorded as one passed or failed test.
make_suite() {
  echo "== $1"
  local started=$SECONDS ok=1
  make --no-print-directory "$1" || { ok=0; status=1; }
  printf '{"numPassedTests":%d,"numFailedTests":%d,"numPendingTests":0,"numTodoTests":0}\n' \
    "$ok" "$((1 - ok))" >"$results/$1.json"
  echo "== $1: $([[ $ok == 1 ]] && echo passed || echo FAILED) in $((SECONDS - started))s"
}

for suite in "${VITEST_SUITES[@]}"; do
  if ! grep -q "name: '$suite'" vitest.config.ts; then
    echo "scripts/test.sh: no vitest project named $suite" >&2
    status=1
    continue
  fi
  vitest_suite "$suite"
  # docs/reliability.md is rendered from the fault suite's results (issue 8).
  [[ $suite == faults ]] && { npx tsx scripts/render-reliability.ts || status=1; }
done
for target in "${MAKE_SUITES[@]}"; do make_suite "$target"; done

node -e '
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0, brokenFiles = 0;
for (const f of fs.readdirSync(process.argv[1])) {
  if (!f.endsWith(".json")) continue;
  const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  skipped += r.numPendingTests + r.numTodoTests;
  brokenFiles += r.numFailedTestSuites ?? 0;
}
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
// Judge by the counts too: a runner that exits 0 despite failures must not turn CI green.
if (brokenFiles > 0) console.log(`${brokenFiles} test file(s) failed`);
if (passed === 0 || failed > 0 || brokenFiles > 0) process.exit(1);
' "$results" || status=1
exit $status
