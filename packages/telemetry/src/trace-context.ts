import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { Context, Span, TextMapGetter, Tracer } from '@opentelemetry/api';

export { SpanKind, SpanStatusCode, context as otelContext, trace as otelTrace };
export type { Context, Span };

/** Name of the tracer of the CSMS's own spans. */
export const TRACER_NAME = 'csms';

/**
 * The CSMS tracer. A proxy of the OpenTelemetry API: it records through whatever `startTelemetry` registered
 * and is a no-op before (or without) it, so services may call it unconditionally.
 */
export function csmsTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/**
 * The W3C trace-context headers (`traceparent`, `tracestate`) of `ctx` (default: the active context), to put
 * into bus message headers: NATS carries no trace context by itself (ecosystem-notes §5). Empty when there is
 * no span or no propagator is registered.
 */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** Header names are matched case-insensitively: transports may canonicalise them (`Traceparent`). */
const caseInsensitiveGetter: TextMapGetter<Readonly<Record<string, string>>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const direct = carrier[key];
    if (direct !== undefined) return direct;
    const wanted = key.toLowerCase();
    for (const [k, v] of Object.entries(carrier)) if (k.toLowerCase() === wanted) return v;
    return undefined;
  },
};

/** The remote parent carried by bus message headers (the root context when they carry none). */
export function contextFromHeaders(headers: Readonly<Record<string, string>> | undefined): Context {
  if (!headers) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, caseInsensitiveGetter);
}

/** `ctx` with `span` as its active span (for `otelContext.with(...)`). */
export function withSpan(span: Span, ctx: Context = context.active()): Context {
  return trace.setSpan(ctx, span);
}

let spansRecorded = true;

/**
 * Tells {@link spanAttributes} whether the registered tracer provider records spans: `startTelemetry` sets it
 * (false with tracing off, true again at its shutdown). Without `startTelemetry` it stays true, so a tracer
 * provider registered some other way (a test's) still gets every attribute.
 */
export function setSpansRecorded(recorded: boolean): void {
  spansRecorded = recorded;
}

/**
 * `build()`'s attributes for a span about to start, or undefined when no span is recorded (tracing off): the span
 * is then a non-recording one that only carries the trace id for the log lines, and the SDK would still copy and
 * check every attribute of every exchange (per CALL work with tracing off, BENCHMARKS.md).
 */
export function spanAttributes<T extends Record<string, string>>(build: () => T): T | undefined {
  return spansRecorded ? build() : undefined;
}

/** Span attributes of one OCPP exchange (the names of the span catalogue in docs/observability.md). */
export interface OcppSpanAttributes {
  readonly stationId: string;
  readonly action: string;
  readonly version: string;
  readonly messageId: string;
}

/** `ocpp.*` attributes of an exchange. */
export function ocppAttributes(a: OcppSpanAttributes): Record<string, string> {
  return {
    'ocpp.station_id': a.stationId,
    'ocpp.action': a.action,
    'ocpp.version': a.version,
    'ocpp.message_id': a.messageId,
  };
}

/**
 * Ends the span of an exchange answered with `outcome`. A CALLERROR of the CSMS's own making (InternalError)
 * marks the span as failed; other CALLERRORs (the station's bad input, a refusal) are answers, recorded in
 * `ocpp.error_code` only, like 4xx on an HTTP server span.
 */
export function endOcppSpan(span: Span, outcome: string, errorCode?: string): void {
  span.setAttribute('ocpp.outcome', outcome);
  if (errorCode !== undefined) span.setAttribute('ocpp.error_code', errorCode);
  if (errorCode === 'InternalError' || outcome === 'failed') {
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode ?? outcome });
  }
  span.end();
}
