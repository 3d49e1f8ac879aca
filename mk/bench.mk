# Benchmarks (issue 9): ratios against same-run references. BENCHMARKS.md explains every figure.

.PHONY: bench bench-smoke test-bench-smoke

# Everything, full sizes (~30 min on 2 cores): writes bench/results/latest.json and the generated
# table in BENCHMARKS.md. `make bench BENCH_ONLY=ingest,read` runs a subset.
bench: deps ## Every benchmark at full size (~30 min); BENCH_ONLY=ingest,read for a subset; writes BENCHMARKS.md
	npx tsx bench/run.ts $(if $(BENCH_ONLY),--only=$(BENCH_ONLY))

# Every benchmark at tiny sizes (a few minutes): proves the harness runs and yields numbers; writes
# .data/bench/smoke.json only. Asserts no timing target.
bench-smoke: deps ## Every benchmark at tiny sizes (a few minutes): the harness runs and yields numbers
	nice npx tsx bench/run.ts --smoke

# Run by `make test` (listed in scripts/test.sh), so the harness never rots.
test-bench-smoke: bench-smoke ## bench-smoke as a suite of make test
