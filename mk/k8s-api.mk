# Kubernetes API server tests (issue 6; docs/kubernetes.md "Tests against a real API server").
# `make test` already runs them with the other integration tests; these verbs run them alone or
# start the same bare control plane for poking at it with kubectl/helm.
# (Named kube-*, not test-*: scripts/test.sh requires every test-* target to be one of its suites.)

.PHONY: kube-test kube-up kube-down

kube-test: deps ## Only the Kubernetes API tests: leases, RBAC, manifests, helm (starts Postgres, Kafka, kube-apiserver)
	bash scripts/setup-test-deps.sh
	npx vitest run --project integration test/integration/k8s-

kube-up: ## Start etcd + kube-apiserver on 127.0.0.1:16443 (kubeconfig: scripts/kube-apiserver.sh env)
	bash scripts/kube-apiserver.sh up

kube-down: ## Stop the local kube-apiserver and etcd (data kept in .data/kube)
	bash scripts/kube-apiserver.sh down
