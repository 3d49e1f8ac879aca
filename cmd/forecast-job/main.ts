// cmd/forecast-job: the forecast precompute (a Kubernetes CronJob per shard); exit 0 on success or
// when another run holds the shard's lease, 1 on failure, 2 on bad configuration. The wiring is
// pkg/forecast-job's run.
import { parseForecastJobConfig, run } from '../../pkg/forecast-job/index.js';
import { runMain } from '../../pkg/process/index.js';

await runMain({ name: 'forecast-job', parse: parseForecastJobConfig, run });
