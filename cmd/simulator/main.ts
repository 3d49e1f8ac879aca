// cmd/simulator: a deterministic catalog and order history sent to ingest (see `simulator --help`);
// the work is pkg/simulator's run. A first Ctrl-C finishes the requests in flight, a second quits.
import { runMain } from '../../pkg/process/index.js';
import { parseSimulatorCommandLine, run } from '../../pkg/simulator/index.js';

await runMain({ name: 'simulator', parse: parseSimulatorCommandLine, run });
