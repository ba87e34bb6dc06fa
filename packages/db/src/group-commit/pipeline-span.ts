import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_BATCH_SIZE,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
} from '@opentelemetry/semantic-conventions';

/**
 * The span of a transaction's pipeline (pipelined-batch.ts), when the caller's span is recorded (tracing on).
 * pg's instrumentation traces pg's own queries but not a submittable's (it starts a span for it that it never
 * ends), so a pipeline traces itself: a `pg.pipeline` CLIENT span under the actor's span, with the statements'
 * parameterised texts. Nothing with tracing off: the caller's span is then not recorded, and this costs one
 * look-up of the active span.
 */
export function startPipelineSpan(database: string | undefined, texts: readonly string[]): Span | undefined {
  if (trace.getActiveSpan()?.isRecording() !== true) return undefined;
  const span = trace.getTracer('csms-db').startSpan('pg.pipeline', {
    kind: SpanKind.CLIENT,
    attributes: { [ATTR_DB_SYSTEM_NAME]: 'postgresql', [ATTR_DB_QUERY_TEXT]: texts.join(';\n') },
  });
  if (database !== undefined) span.setAttribute(ATTR_DB_NAMESPACE, database);
  // Semantic conventions: the batch size only for a batch (two statements or more).
  if (texts.length > 1) span.setAttribute(ATTR_DB_OPERATION_BATCH_SIZE, texts.length);
  return span;
}

/** Ends a pipeline's span; a refusal marks it failed with the SQLSTATE. */
export function endPipelineSpan(span: Span, error: unknown): void {
  if (error !== undefined) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, code);
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : 'failed',
    });
  }
  span.end();
}
