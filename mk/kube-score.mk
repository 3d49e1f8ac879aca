# kube-score (third-party manifest checks) on the chart rendered with its defaults (docs/kubernetes.md).
# helm and kube-score are built once from the Go module proxy into the shared tools dir.
KUBE_SCORE_BIN = $(shell bash scripts/tools.sh path)

.PHONY: test-kube-score
test-kube-score: ## kube-score on `helm template` of charts/catcast: zero findings beyond test/kube-score/ignore.yaml
	bash scripts/tools.sh helm
	bash scripts/tools.sh kube-score
	npx tsx test/kube-score/run.ts --helm $(KUBE_SCORE_BIN)/helm --kube-score $(KUBE_SCORE_BIN)/kube-score
