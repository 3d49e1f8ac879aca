/** Why the SDK is (not) started, decided from the standard OTEL_* variables only. */
export interface TelemetryDecision {
  readonly enabled: boolean;
  /** Human-readable reason, logged once by the preload. */
  readonly reason: string;
}

/**
 * Decides whether tracing runs: off when OTEL_SDK_DISABLED=true, when OTEL_TRACES_EXPORTER is
 * "none", or when no OTLP endpoint is configured (unless the console exporter is asked for). Off
 * means the preload does nothing at all: no loader hook, no SDK, no instrumentation.
 */
export function telemetryDecision(env: Readonly<Record<string, string | undefined>>): TelemetryDecision {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true')
    return { enabled: false, reason: 'OTEL_SDK_DISABLED=true' };
  const exporters = (env.OTEL_TRACES_EXPORTER ?? 'otlp')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  if (exporters.length === 0 || exporters.includes('none'))
    return { enabled: false, reason: 'OTEL_TRACES_EXPORTER=none' };
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (exporters.includes('otlp') && !endpoint && !exporters.includes('console'))
    return { enabled: false, reason: 'no OTEL_EXPORTER_OTLP_ENDPOINT' };
  return { enabled: true, reason: `exporting traces (${exporters.join(',')}) to ${endpoint ?? 'console'}` };
}

/** The default service name of a binary run as `node .../cmd/<name>/main.(ts|js)`: catcast-<name>. */
export function defaultServiceName(mainPath: string | undefined): string {
  const m = mainPath ? /[\\/]cmd[\\/]([^\\/]+)[\\/]main\.[cm]?[jt]s$/.exec(mainPath) : null;
  return m ? `catcast-${m[1]}` : 'catcast';
}
