# Observability (issue 7): a local Jaeger v2 and `make dev` with traces. See docs/observability.md.

.PHONY: jaeger-up
jaeger-up: ## Start Jaeger v2 on 127.0.0.1 (query API :16686, OTLP/HTTP :4318); builds it on first use
	bash scripts/jaeger.sh up

.PHONY: jaeger-down
jaeger-down: ## Stop the local Jaeger
	bash scripts/jaeger.sh down

.PHONY: dev-traced
dev-traced: jaeger-up ## `make dev` with every process exporting traces to the local Jaeger
	OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 $(MAKE) --no-print-directory dev
