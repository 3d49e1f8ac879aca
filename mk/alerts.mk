# Alerting rules evaluated by Prometheus's own rule engine (docs/observability.md, "Alerts").
# promtool is built once from the Go module proxy into the shared tools dir (scripts/tools.sh).
ALERTS_PROMTOOL = $(shell bash scripts/tools.sh path)/promtool

.PHONY: test-alerts
test-alerts: ## promtool check + test rules: every chart alert fires on its bad series and stays silent on healthy ones
	bash scripts/tools.sh promtool
	npx tsx test/alerts/run.ts --promtool $(ALERTS_PROMTOOL)
