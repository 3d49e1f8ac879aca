import { pino, type Logger, type LoggerOptions } from 'pino';

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

/** Creates the structured JSON logger of a process; secrets are redacted by path. */
export function createLogger({ service, level = 'info', destination }: LoggerOptionsLite): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['authorization', '*.authorization', 'headers.authorization', 'password', '*.password', 'token'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

/** A logger that writes nothing, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
