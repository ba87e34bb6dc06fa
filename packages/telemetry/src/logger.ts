import { pino, type DestinationStream, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  /** Service name, added to every line as `service`. */
  readonly service: string;
  readonly level?: LevelWithSilent;
  /** Where lines go (default stdout); tests can pass a stream. */
  readonly destination?: DestinationStream;
}

/**
 * Structured JSON logs (one object per line) with ISO timestamps and errors serialised under `err`.
 * Fields that could carry credentials are redacted.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: options.level ?? 'info',
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: {
      paths: ['password', '*.password', 'authorization', '*.authorization', 'headers.authorization'],
      censor: '[redacted]',
    },
    serializers: { err: pino.stdSerializers.err },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
