# Forecast engine verbs (pkg/forecast, cmd/forecast-eval, bench/forecast).

.PHONY: bench-forecast bench-forecast-quick forecast-test

# Full forecast benchmark: accuracy by family, 20,000-series speed run, statsforecast peer check.
bench-forecast:
	bash bench/forecast/peer-setup.sh
	nice npx tsx bench/forecast/run.ts

# Small, fast version of the same benchmark (30 series per family, 2,000 for speed).
bench-forecast-quick:
	bash bench/forecast/peer-setup.sh
	nice npx tsx bench/forecast/run.ts --quick

# Unit tests of the forecast engine and its CLI.
forecast-test:
	npx vitest run --project unit pkg/forecast cmd/forecast-eval
