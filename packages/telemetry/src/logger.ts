import { isSpanContextValid, trace } from '@opentelemetry/api';
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
 * Fields that could carry credentials are redacted. A line written while a span is active (an OCPP exchange at
 * the edge, its handling in the actor) carries `trace_id` and `span_id`, so logs and traces join up; the ids
 * are there even with tracing off (`CSMS_TRACING=off` samples nothing but still propagates ids).
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
    mixin: traceFields,
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** `trace_id` / `span_id` of the active span (nothing outside a span). */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return {};
  const { traceId, spanId } = spanContext;
  return { trace_id: traceId, span_id: spanId };
}
