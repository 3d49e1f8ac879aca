import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { registerTelemetry, type TelemetryHandle } from './shutdown.js';

/** Paths that are polled by probes and scrapers: tracing them only buries the real requests. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);

/** The version in catcast's package.json (service.version), found upwards from this file. */
function packageVersion(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'catcast') return pkg.version;
    } catch {
      // not here; keep walking up
    }
    dir = path.dirname(dir);
  }
  return undefined;
}

/**
 * Starts the OpenTelemetry Node SDK: OTLP trace export, sampler, propagators and resource all come
 * from the standard OTEL_* variables (the SDK reads them itself); this adds defaults for
 * service.name (catcast-<binary>) and service.version (package.json), which OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES override, and instruments http, pg and kafkajs.
 */
export function startTelemetry(options: {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly defaultServiceName: string;
}): TelemetryHandle {
  const { env } = options;
  const version = packageVersion();
  const sdk = new NodeSDK({
    // Defaults only: the env detector (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) is merged on top.
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.defaultServiceName,
      ...(version ? { [ATTR_SERVICE_VERSION]: version } : {}),
    }),
    // Metrics are Prometheus (prom-client, /metrics) and logs are JSON on stdout; the SDK's OTLP
    // defaults for both would push to a traces-only backend. Opt in with OTEL_*_EXPORTER.
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0] ?? ''),
      }),
      // requireParentSpan: idle polls (relay, LISTEN, retention sweeps) would otherwise each be a
      // one-span trace. Parameter values are never recorded (they carry order data).
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
      new KafkaJsInstrumentation(),
    ],
  });
  sdk.start();
  const handle: TelemetryHandle = {
    async shutdown() {
      await sdk.shutdown();
    },
  };
  registerTelemetry(handle);
  return handle;
}
