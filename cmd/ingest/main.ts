import { createAuthenticator, parseAuthConfig } from '../../pkg/auth/index.js';
import { ConfigError } from '../../pkg/config/index.js';
import { parseIngestConfig, run } from '../../pkg/ingest/index.js';
import { currentTraceparent, shutdownTelemetry } from '../../pkg/telemetry/index.js';

// Wiring only: config from the environment, signals to an AbortController, failures to exit codes.
const controller = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => controller.abort());

try {
  const config = parseIngestConfig(process.env);
  // AUTH_MODE defaults to jwt: without a key source the process refuses to start (AUTH_MODE=none is explicit).
  const authenticator = await createAuthenticator(parseAuthConfig(process.env));
  // Each outbox row stores the request's trace context, so the relay and aggregator continue its trace.
  await run(config, controller.signal, { traceparent: currentTraceparent, authenticator });
} catch (err) {
  process.stderr.write(
    err instanceof ConfigError
      ? `ingest: ${err.message}\n`
      : `ingest: fatal: ${(err as Error)?.stack ?? String(err)}\n`,
  );
  process.exitCode = 1;
}
await shutdownTelemetry();
