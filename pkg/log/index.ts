import { pino, type Logger, type LoggerOptions } from 'pino';
import { logTraceFields } from '../telemetry/index.js';

export type { Logger } from 'pino';

/** Options of {@link createLogger}. */
export interface LoggerOptionsLite {
  /** Service name written on every line. */
  readonly service: string;
  /** pino level. @default info */
  readonly level?: string;
  /** Where lines go. @default stdout */
  readonly destination?: NodeJS.WritableStream;
}

/**
 * Creates the structured JSON logger of a process: every line written inside a span carries its
 * trace_id and span_id (so a log line leads to its trace), and secrets are redacted by path.
 */
export function createLogger({ service, level = 'info', destination }: LoggerOptionsLite): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Without a started SDK there is no active span, so this returns {} and adds nothing.
    mixin: logTraceFields,
    redact: {
      paths: [
        'authorization',
        '*.authorization',
        'headers.authorization',
        '*.headers.authorization',
        'cookie',
        '*.cookie',
        'password',
        '*.password',
        'token',
        '*.token',
        'connectionString',
        '*.connectionString',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

/** A logger that writes nothing, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
