import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './wait.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');

/** A Jaeger v2 all-in-one (in-memory) listening on 127.0.0.1. */
export interface Jaeger {
  /** OTLP/HTTP base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly otlpHttp: string;
  /** Query API base URL (GET /api/traces/{id}, /api/services). */
  readonly query: string;
  /** Lines Jaeger printed (for failure messages). */
  readonly log: string[];
  stop(): Promise<void>;
}

/** A span as Jaeger's query API returns it (the fields tests look at). */
export interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly processID: string;
  readonly references: readonly { refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }[];
  readonly tags: readonly { key: string; value: unknown }[];
  /** Filled in by {@link getTrace}: the service.name of the span's process. */
  service: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Builds Jaeger if needed (scripts/tools.sh jaeger, from the Go module proxy) and starts it on free
 * ports of 127.0.0.1 with in-memory storage. Fails (never skips) when it cannot start.
 */
export async function startJaeger(): Promise<Jaeger> {
  await run('bash', [path.join(root, 'scripts/tools.sh'), 'jaeger'], { maxBuffer: 64 * 1024 * 1024 }).catch(
    (err: unknown) => {
      throw new Error(`cannot build jaeger with scripts/tools.sh jaeger: ${(err as Error).message}`, {
        cause: err,
      });
    },
  );
  const bin = path.join(
    (await run('bash', [path.join(root, 'scripts/tools.sh'), 'path'])).stdout.trim(),
    'jaeger',
  );
  // Free ports are picked before Jaeger binds them, so a process starting at the same moment can
  // take one first (seen in CI: "bind: address already in use"). Only that is retried, with new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startJaegerOnce(bin);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test(String((err as Error).message))) throw err;
    }
  }
}

async function startJaegerOnce(bin: string): Promise<Jaeger> {
  const [grpc, http, query, queryGrpc] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const dir = mkdtempSync(path.join(tmpdir(), 'catcast-jaeger-'));
  const config = path.join(dir, 'config.yaml');
  // Traces only, in memory, every listener on 127.0.0.1; no self-telemetry port.
  writeFileSync(
    config,
    `service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  jaeger_query:
    storage:
      traces: memstore
    enable_tracing: false
    http:
      endpoint: 127.0.0.1:${query}
    grpc:
      endpoint: 127.0.0.1:${queryGrpc}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${grpc}
      http:
        endpoint: 127.0.0.1:${http}
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`,
  );
  const log: string[] = [];
  const child: ChildProcess = spawn(bin, ['--config', `file:${config}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  const queryUrl = `http://127.0.0.1:${query}`;
  const stop = async () => {
    if (exitCode === undefined) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (exitCode === undefined) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // An exit ends the wait at once (the catch below reports Jaeger's own words).
    const died = exited.then(() => Promise.reject(new Error(`jaeger exited with ${exitCode}`)));
    died.catch(() => undefined); // a later, normal exit is not an unhandled rejection
    await Promise.race([
      waitFor('jaeger to answer on its query API', async () => (await fetch(`${queryUrl}/api/services`)).ok, {
        timeoutMs: 60_000,
        intervalMs: 200,
      }),
      died,
    ]);
  } catch (err) {
    await stop();
    throw new Error(`jaeger did not start: ${log.join('').slice(-4000)}`, { cause: err });
  }
  return { otlpHttp: `http://127.0.0.1:${http}`, query: queryUrl, log, stop };
}

/** The spans of trace `traceId` (service names resolved), or [] while Jaeger does not know it yet. */
export async function getTrace(jaeger: Jaeger, traceId: string): Promise<JaegerSpan[]> {
  const res = await fetch(`${jaeger.query}/api/traces/${traceId}`);
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`GET /api/traces/${traceId}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as {
    data: { spans: JaegerSpan[]; processes: Record<string, { serviceName: string }> }[];
  };
  return (body.data ?? []).flatMap((t) =>
    t.spans.map((s) => ({ ...s, service: t.processes[s.processID]?.serviceName ?? '' })),
  );
}

/** The value of tag `key` of a span. */
export function tag(span: JaegerSpan, key: string): unknown {
  return span.tags.find((t) => t.key === key)?.value;
}
