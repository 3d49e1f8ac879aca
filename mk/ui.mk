# Merchant UI (issue 4): build, develop and browser-test the page that forecast-api serves at /ui.

.PHONY: ui
ui: deps ## Build the merchant UI into pkg/ui/static (type-checks first)
	npm run build:ui

.PHONY: ui-dev
ui-dev: deps ## Serve the UI with hot reload on :5173, proxying /api and /forecast to CATCAST_API_URL (default :8090)
	npm run dev:ui

.PHONY: ui-e2e
ui-e2e: deps ## Run only the UI browser test (headless Debian chromium, real services)
	bash scripts/install-chromium.sh
	npx vitest run --project integration test/integration/ui.test.ts

.PHONY: ui-screenshot
ui-screenshot: ## Copy the UI test's desktop summary screenshot to docs/screenshots/ui.png (run make ui-e2e first)
	cp test-results/ui/summary-precomputed-desktop.png docs/screenshots/ui.png
