# Sign-in (issue 19): OpenID Connect login of the UI against a real provider (catcast-idp, built
# from zitadel/oidc via scripts/tools.sh idp), in headless Debian chromium. The tests are their own
# vitest project (test/login), not part of the integration project, so `make test` runs them once:
# through this target, which scripts/test.sh picks up like every test-<area> target.

.PHONY: test-login
test-login: ## Run only the sign-in browser tests (real identity provider, chromium, Lighthouse)
	bash scripts/install-chromium.sh
	bash scripts/tools.sh idp
	npx vitest run --project login

.PHONY: idp
idp: ## Build catcast-idp, the OpenID Provider used by the sign-in tests (from the Go module proxy)
	bash scripts/tools.sh idp
