export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export {
  CSMS_METRICS,
  LATENCY_BUCKETS_SECONDS,
  RUNTIME_METRICS,
  createCsmsMetrics,
  noopCsmsMetrics,
  prometheusSeriesNames,
  secondsSince,
  type CsmsMetrics,
  type MetricDefinition,
  type MetricKind,
} from './csms-metrics.js';
export {
  startTelemetry,
  type Telemetry,
  type TelemetryOptions,
  type TracingMode,
} from './start-telemetry.js';
export { startOpsServer, type OpsServer, type OpsServerOptions } from './ops-server.js';
export {
  SpanKind,
  SpanStatusCode,
  TRACER_NAME,
  contextFromHeaders,
  csmsTracer,
  endOcppSpan,
  ocppAttributes,
  otelContext,
  otelTrace,
  spanAttributes,
  traceHeaders,
  withSpan,
  type Context,
  type OcppSpanAttributes,
  type Span,
} from './trace-context.js';
