// cmd/aggregator: consumes order-events into the sales aggregates and serves the read API (port
// 8082); the wiring is pkg/aggregation's run.
import { parseAggregatorConfig, run } from '../../pkg/aggregation/index.js';
import { runMain } from '../../pkg/process/index.js';

await runMain({ name: 'aggregator', parse: parseAggregatorConfig, run });
