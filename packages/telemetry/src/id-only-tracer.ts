import {
  TraceFlags,
  context,
  isSpanContextValid,
  trace,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { RandomIdGenerator } from '@opentelemetry/sdk-trace-node';

/**
 * The tracer provider of a process whose spans nobody records (`CSMS_TRACING=off` and no span processor).
 * Its spans are the API's non-recording spans (`trace.wrapSpanContext`) with fresh ids and nothing else: they
 * carry a trace id into the log lines and, through the propagator, across the bus and gRPC, which is all a
 * span does with tracing off. The SDK's tracer, even when its sampler says no, still runs the sampler, copies
 * the options and counts the span in its own metrics: ~1.6% of the embedded process's CPU in the benchmark's
 * profile at saturation (BENCHMARKS.md), for spans nobody sees.
 */
export class IdOnlyTracerProvider implements TracerProvider {
  readonly #tracer = new IdOnlyTracer();

  getTracer(): Tracer {
    return this.#tracer;
  }
}

class IdOnlyTracer implements Tracer {
  readonly #ids = new RandomIdGenerator();

  startSpan(_name: string, options?: SpanOptions, ctx: Context = context.active()): Span {
    const parent = options?.root === true ? undefined : trace.getSpanContext(ctx);
    // A child continues its parent's trace (W3C trace context), a root starts one.
    const traceId =
      parent !== undefined && isSpanContextValid(parent) ? parent.traceId : this.#ids.generateTraceId();
    return trace.wrapSpanContext({
      traceId,
      spanId: this.#ids.generateSpanId(),
      traceFlags: TraceFlags.NONE,
    });
  }

  // The API's three overloads: (name, fn), (name, options, fn), (name, options, context, fn).
  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    ...args: [F] | [SpanOptions, F] | [SpanOptions, Context, F]
  ): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    const options = args.length > 1 ? (args[0] as SpanOptions) : undefined;
    const parent = args.length > 2 ? (args[1] as Context) : context.active();
    const span = this.startSpan(name, options, parent);
    return context.with(trace.setSpan(parent, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}
