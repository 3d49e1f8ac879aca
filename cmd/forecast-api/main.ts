// cmd/forecast-api: next-period forecasts, model comparison and the merchant UI (port 8090); the
// wiring is pkg/forecast-api's run.
import { parseForecastApiConfig, run } from '../../pkg/forecast-api/index.js';
import { runMain } from '../../pkg/process/index.js';

await runMain({ name: 'forecast-api', parse: parseForecastApiConfig, run });
