// cmd/ingest: the order and catalog API (port 8081); the wiring is pkg/ingest's run.
import { parseIngestConfig, run } from '../../pkg/ingest/index.js';
import { runMain } from '../../pkg/process/index.js';

await runMain({ name: 'ingest', parse: parseIngestConfig, run });
