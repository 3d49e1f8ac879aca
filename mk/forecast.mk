# Forecast engine verbs (pkg/forecast-engine, cmd/forecast-eval, bench/forecast).

.PHONY: bench-forecast bench-forecast-quick forecast-test

# Full forecast benchmark: accuracy by family (synthetic and the real series of bench/forecast/real.ts,
# installed by real-data.sh) and the statsforecast comparison (niced), then the
# 20,000-series speed run at normal priority so that it measures the engine, not the scheduler.
# statsforecast itself only runs on sample series without cached results in
# bench/results/forecast-peer.json (bench/forecast/peer.ts); `npx tsx bench/forecast/peer.ts
# --per-family=N` grows the cached sample on its own.
bench-forecast: ## Forecast accuracy by family + statsforecast peer check, then the 20,000-series speed run
	bash bench/forecast/peer-setup.sh
	bash bench/forecast/real-data.sh
	nice npx tsx bench/forecast/run.ts --no-speed
	npx tsx bench/forecast/run.ts --speed-only

# Small, fast version of the same benchmark (30 series per synthetic family, a fifth of the real
# series, 2,000 for speed); compared with the cached statsforecast results only.
bench-forecast-quick: ## A small, fast version of bench-forecast
	bash bench/forecast/real-data.sh
	nice npx tsx bench/forecast/run.ts --quick --no-peer

# Unit tests of the forecast engine and its CLI.
forecast-test: ## Unit tests of the forecast engine and its CLI
	npx vitest run --project unit pkg/forecast-engine cmd/forecast-eval
