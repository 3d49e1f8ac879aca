# catcast — the front door. Every verb is short and calls a script or an npm script.
# Newcomers need two: `make dev` (run catcast) and `make test` (test it).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help
help: ## List the verbs
	@grep -hE '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: deps
deps: node_modules/.installed ## Install npm dependencies (npm ci) when the lock changed

.PHONY: dev
dev: deps ## Run the whole product locally (embedded Postgres, embedded bus unless KAFKA_BROKERS/KAFKA=1)
	bash scripts/dev.sh

.PHONY: dev-reset
dev-reset: ## Wipe the local development data (.data/dev)
	rm -rf .data/dev

.PHONY: test
test: deps ## Lint, type-check, unit + integration tests (starts Postgres, Kafka and the other tools itself)
	bash scripts/test.sh

.PHONY: lint
lint: deps ## ESLint (type-aware), Prettier check, tsc and ShellCheck
	npx tsc -p tsconfig.json --noEmit
	npx eslint . --max-warnings 0
	npx prettier --check .
	bash scripts/lint-shell.sh

.PHONY: lint-shell
lint-shell: ## ShellCheck (warnings and errors) on every tracked *.sh; installs Debian's shellcheck if missing
	bash scripts/lint-shell.sh

.PHONY: format
format: deps ## Format every file with Prettier
	npx prettier --write .

.PHONY: unit
unit: deps ## Unit tests only (no external processes)
	npx vitest run --project unit

.PHONY: integration
integration: deps ## Integration tests only (real Postgres and Kafka)
	npx vitest run --project integration

.PHONY: build
build: deps ## Compile TypeScript to dist/
	npm run build

.PHONY: generate
generate: deps ## Regenerate every generated file: docs/api.md, docs/configuration.md, the chart, BENCHMARKS.md's table, the UI bundle
	bash scripts/generate.sh

.PHONY: check-generated
check-generated: deps ## Regenerate the committed generated files into the tree; fail naming any that was stale
	bash scripts/generate.sh --check

.PHONY: migrate
migrate: deps ## Apply database migrations to DATABASE_URL
	npx tsx cmd/migrate/main.ts

.PHONY: kafka-up
kafka-up: ## Start a single-node Apache Kafka 4 (KRaft) on 127.0.0.1:19092
	bash scripts/kafka.sh up

.PHONY: kafka-down
kafka-down: ## Stop the local Kafka
	bash scripts/kafka.sh down

.PHONY: tools
tools: ## Build helm, jaeger, etcd and kube-apiserver into ~/.cache/catcast/tools (cached)
	bash scripts/tools.sh all

-include mk/*.mk
