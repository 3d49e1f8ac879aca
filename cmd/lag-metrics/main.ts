// cmd/lag-metrics: serves the aggregator group's Kafka consumer lag as the External metric of the
// external.metrics.k8s.io API (HTTPS 6443, for kube-apiserver; health/metrics on PORT, default 8084).
import { runMain } from '../../pkg/process/index.js';
import { parseLagMetricsConfig, run } from '../../pkg/lag-metrics/index.js';

await runMain({ name: 'lag-metrics', parse: parseLagMetricsConfig, run });
