// The OpenTelemetry preload of every catcast binary:
//   node --import ./dist/pkg/telemetry/preload.js dist/cmd/<binary>/main.js          (image, NODE_OPTIONS)
//   node --import tsx --import ./pkg/telemetry/preload.ts cmd/<binary>/main.ts        (source)
// It runs before the binary's modules load, which is what lets it instrument them. Like main.ts it is
// process wiring, so it reads process.env (only the standard OTEL_* variables).
import { register } from 'node:module';
import { defaultServiceName, telemetryDecision } from './env.js';

const decision = telemetryDecision(process.env);
if (decision.enabled) {
  // Under ESM, `import pg from 'pg'` (and kafkajs, node:http) bypasses require(), so the
  // instrumentations never see those modules unless this loader hook wraps them. The include list
  // keeps every other module out of the hook's path.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
    data: { include: ['pg', 'pg-pool', 'kafkajs', 'http', 'https', 'node:http', 'node:https'] },
  });
  // Loaded only now: with telemetry off, not one SDK module is read (no cost when disabled).
  const { startTelemetry } = await import('./sdk.js');
  startTelemetry({ env: process.env, defaultServiceName: defaultServiceName(process.argv[1]) });
}
