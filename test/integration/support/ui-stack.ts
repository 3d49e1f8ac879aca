/**
 * forecast-api in-process for the UI's end-to-end test, so that it can mount pkg/ui's routes; it
 * proxies /api/* to the aggregator binary exactly as in a deployment without an ingress. The other
 * services (ingest, relay, aggregator, forecast job) run as child processes (support/process.ts).
 */
import { parseForecastApiConfig, run as runForecastApi } from '../../../pkg/forecast-api/index.js';
import { silentLogger } from '../../../pkg/log/index.js';
import { uiRoutes } from '../../../pkg/ui/index.js';

// startBinary lives in process.ts (shared with the fault-injection suite); re-exported for the UI tests.
export { startBinary, type ChildService } from './process.js';

/** forecast-api running in this process with the built UI mounted at /ui. */
export interface ForecastApiHandle {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts forecast-api (pkg/forecast-api run()) with `env` as its environment and the UI routes. */
export async function startForecastApi(env: Record<string, string>): Promise<ForecastApiHandle> {
  const config = parseForecastApiConfig({ HOST: '127.0.0.1', PORT: '0', ...env });
  const controller = new AbortController();
  let resolvePort: (p: number) => void = () => undefined;
  const port = new Promise<number>((r) => (resolvePort = r));
  const running = runForecastApi(config, controller.signal, {
    logger: silentLogger(),
    ui: uiRoutes(),
    onListening: (p) => resolvePort(p),
  });
  const failed = running.then(() => {
    throw new Error('forecast-api stopped before listening');
  });
  const p = await Promise.race([port, failed]);
  return {
    url: `http://127.0.0.1:${p}`,
    async stop() {
      controller.abort();
      await running;
    },
  };
}
