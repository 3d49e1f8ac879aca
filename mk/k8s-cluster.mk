# The single-node Kubernetes built from upstream components on this machine (issue 14;
# docs/kubernetes.md "catcast on a real node without kind"). For machines without kind/registry
# (CI hosts, VMs); laptops use `make kind-up` (mk/k8s.mk).

CLUSTER_RELEASE ?= catcast
CLUSTER_NAMESPACE ?= catcast
CLUSTER_SIM_ARGS ?= --merchants 3 --days 60 --orders-per-day 20 --rate 2

.PHONY: cluster-up cluster-down cluster-test

cluster-up: deps ## Single-node Kubernetes here (kubelet+containerd), image built + imported, chart installed, simulator traffic; prints the UI URL
	bash scripts/k8s/cluster-up.sh up

cluster-down: ## Stop the single-node cluster, the simulator and everything cluster-up started (data kept in .data/cluster)
	bash scripts/k8s/cluster-up.sh down

cluster-test: deps ## Only the cluster suite: starts the node, installs/tests/upgrades the chart, stops it
	npx vitest run --project cluster

# Part of `make test` (scripts/test.sh runs every test-* target): green twice here, 4 min 46 s with
# warm tool and image caches (node up 162 s with the image rebuild, six steps 113 s, down).
.PHONY: test-cluster
test-cluster: deps ## The cluster suite inside make test (its results join the summary)
	npx vitest run --project cluster --reporter=default --reporter=json --outputFile.json=.data/test-results/cluster.json
