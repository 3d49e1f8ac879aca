# Order simulator verbs (pkg/simulator, cmd/simulator). Flags: `simulator --help`; pass them in SIM_ARGS.

.PHONY: simulate simulator-test

# Send simulated catalog, history and live orders to a running ingest (INGEST_URL, default 127.0.0.1:8081).
simulate: ## Send simulated catalog, history and live orders to a running ingest (SIM_ARGS)
	node --import tsx cmd/simulator/main.ts $(SIM_ARGS)

# Unit tests of the simulator, then its integration tests (fake ingest over HTTP, real ingest + Postgres).
simulator-test: ## Simulator unit tests, then its integration tests
	npx vitest run --project unit pkg/simulator
	npx vitest run --project integration test/integration/simulator-protocol.test.ts test/integration/simulator.test.ts
