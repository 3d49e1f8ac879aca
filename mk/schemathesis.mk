# The OpenAPI documents are the contract (issue 15 item 8): Schemathesis (PyPI, installed into a cached
# venv by scripts/schemathesis-install.sh) runs every one of its checks against ingest, aggregator and
# forecast-api started on an embedded PostgreSQL with authentication on; any finding fails.
# Settings and the reason for each adjusted check: test/schemathesis/schemathesis.toml.

.PHONY: test-schemathesis
test-schemathesis: ## Schemathesis, all checks, against the three services' /openapi.json (a few minutes)
	nice npx tsx scripts/schemathesis.ts
