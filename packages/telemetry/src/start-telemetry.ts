import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, metrics, propagation, trace, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { createCsmsMetrics, type CsmsMetrics } from './csms-metrics.js';
import { IdOnlyTracerProvider } from './id-only-tracer.js';
import { setSpansRecorded } from './trace-context.js';

export type TracingMode = 'off' | 'otlp';

export interface TelemetryOptions {
  /** `service.name` of traces and metrics, e.g. `csms-edge` (the app passes OTEL_SERVICE_NAME when set). */
  readonly service: string;
  /**
   * `otlp`: spans are sampled and exported over OTLP/HTTP. `off` (the default of CSMS_TRACING): nothing is
   * sampled or exported, but trace ids are still created and propagated, so log lines of one exchange share a
   * `trace_id` across edge and worker.
   */
  readonly tracing: TracingMode;
  /**
   * Base URL of the OTLP/HTTP collector, e.g. `http://localhost:4318` (`/v1/traces` is appended, as for
   * OTEL_EXPORTER_OTLP_ENDPOINT). Default: the exporter reads OTEL_EXPORTER_OTLP_ENDPOINT, else localhost:4318.
   */
  readonly otlpEndpoint?: string;
  /**
   * More span processors, e.g. `new SimpleSpanProcessor(new InMemorySpanExporter())` in tests. With any, spans
   * are sampled even when `tracing` is `off`.
   */
  readonly spanProcessors?: readonly SpanProcessor[];
}

/** The telemetry of a process: the CSMS instruments, the Prometheus handler, and shutdown. */
export interface Telemetry {
  readonly metrics: CsmsMetrics;
  /** Serves the Prometheus text format: pass it to `startOpsServer({ metrics })`. */
  readonly metricsHandler: (request: IncomingMessage, response: ServerResponse) => void;
  /** Flushes spans still buffered, stops the instrumentations and unregisters the OpenTelemetry globals. */
  shutdown(): Promise<void>;
}

let running = false;

/**
 * Sets up OpenTelemetry for this process: the AsyncLocalStorage context manager and the W3C trace-context
 * propagator, a tracer provider (the SDK's with a BatchSpanProcessor + OTLP/HTTP when tracing is `otlp`; when
 * `off`, {@link IdOnlyTracerProvider}: spans that only carry ids for the log lines), a MeterProvider read by a Prometheus exporter that does not
 * listen itself (`startOpsServer` serves it), and the instrumentations of `pg`, `@grpc/grpc-js` and the Node
 * runtime (event-loop delay, GC, heap).
 *
 * **Call it first.** The `pg` and `@grpc/grpc-js` instrumentations patch those modules when they are loaded
 * (require-in-the-middle); a module loaded before this call stays unpatched and produces no spans. The process
 * entry point must call `startTelemetry` before anything that imports `@csms/db`, `@csms/grpc` (or `pg`,
 * `@grpc/grpc-js`) is loaded, and import the rest dynamically afterwards:
 *
 * @example
 * const telemetry = startTelemetry({ service: 'csms-edge', tracing: 'otlp' });
 * const { startEdgeRole } = await import('./roles/distributed.js');
 *
 * Once per process: a second call before `shutdown()` throws.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (running) throw new Error('startTelemetry: telemetry is already running in this process');
  running = true;
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.service });

  const spanProcessors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (options.tracing === 'otlp') {
    const url =
      options.otlpEndpoint !== undefined
        ? `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`
        : undefined;
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter(url !== undefined ? { url } : {})));
  }
  const recorded = spanProcessors.length > 0;
  setSpansRecorded(recorded);
  const sdkTracerProvider = recorded
    ? new NodeTracerProvider({ resource, sampler: new AlwaysOnSampler(), spanProcessors })
    : undefined;
  const tracerProvider: TracerProvider = sdkTracerProvider ?? new IdOnlyTracerProvider();
  // The tracer provider, the AsyncLocalStorage context manager and the W3C trace-context (+ baggage) propagator
  // as the OpenTelemetry API globals (what NodeTracerProvider.register() sets, for either provider).
  trace.setGlobalTracerProvider(tracerProvider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );

  const prometheus = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
  metrics.setGlobalMeterProvider(meterProvider);

  const unregister = registerInstrumentations({
    tracerProvider,
    meterProvider,
    instrumentations: [
      // Only queries inside a span (an actor's handling, a gRPC call): no traces of background polling. Not
      // at all when nothing records spans (tracing off): wrapping every query for spans nobody sees cost ~3% of
      // the embedded process's CPU in the benchmark profile (BENCHMARKS.md). The gRPC instrumentation stays:
      // it carries the trace context that log lines correlate on.
      ...(recorded ? [new PgInstrumentation({ requireParentSpan: true })] : []),
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch', 'ServerReflectionInfo'] }),
      new RuntimeNodeInstrumentation({ monitoringPrecision: 10 }),
    ],
  });

  const csmsMetrics = createCsmsMetrics(meterProvider.getMeter('csms'));
  let stopped: Promise<void> | undefined;
  return {
    metrics: csmsMetrics,
    metricsHandler: (request, response) => prometheus.getMetricsRequestHandler(request, response),
    shutdown: () =>
      (stopped ??= (async () => {
        unregister();
        await Promise.allSettled([sdkTracerProvider?.shutdown(), meterProvider.shutdown()]);
        trace.disable();
        context.disable();
        propagation.disable();
        metrics.disable();
        setSpansRecorded(true);
        running = false;
      })()),
  };
}
