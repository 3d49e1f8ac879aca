# Reliability verbs (issue 8): the fault-injection scenarios in test/faults and their report.

.PHONY: faults soak reliability-doc

# Fault scenarios (Kafka outage, SIGKILLs, Postgres restart, poison messages, replica...), ~10 min;
# then docs/reliability.md is regenerated from the results.
# (Judged by vitest's JSON report as well as its exit code: embedded-postgres' exit hook can turn a
# failed run into exit 0.)
faults: ## Fault-injection scenarios (~12 min), then docs/reliability.md re-rendered
	nice npx vitest run --project faults --reporter=default --reporter=json --outputFile.json=test-results/faults.json; status=$$?; \
	node -e 'const r = require("./test-results/faults.json"); process.exit(r.numFailedTests || r.numFailedTestSuites || !r.numPassedTests ? 1 : 0)' || status=1; \
	npx tsx scripts/render-reliability.ts; exit $$status

# The same scenarios five times longer (longer outages, 50 aggregator kills); set CATCAST_SOAK for another factor.
soak: ## The fault scenarios five times longer (CATCAST_SOAK for another factor)
	CATCAST_SOAK=$${CATCAST_SOAK:-5} nice npx vitest run --project faults --testTimeout=3600000 --reporter=default --reporter=json --outputFile.json=test-results/faults.json; status=$$?; \
	node -e 'const r = require("./test-results/faults.json"); process.exit(r.numFailedTests || r.numFailedTestSuites || !r.numPassedTests ? 1 : 0)' || status=1; \
	npx tsx scripts/render-reliability.ts; exit $$status

# Re-render docs/reliability.md from the last results in test-results/faults.
reliability-doc: ## Re-render docs/reliability.md from the last fault-suite results
	npx tsx scripts/render-reliability.ts

.PHONY: mutations
# The claims table's mutation check (scripts/mutations.sh): each claim's bug applied in a throwaway
# worktree, its test expected to go red; minutes per mutation, so not part of make test.
mutations: ## Apply each test/mutations patch and check that its test goes red
	bash scripts/mutations.sh $(MUTATIONS); status=$$?; npx tsx scripts/render-reliability.ts; exit $$status
