import { afterEach, describe, expect, it } from 'vitest';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createLogger } from './logger.js';
import { CSMS_METRICS, RUNTIME_METRICS, noopCsmsMetrics, prometheusSeriesNames } from './csms-metrics.js';
import type { CsmsMetrics } from './csms-metrics.js';
import { startOpsServer, type OpsServer } from './ops-server.js';
import { startTelemetry, type Telemetry } from './start-telemetry.js';
import {
  contextFromHeaders,
  csmsTracer,
  otelContext,
  spanAttributes,
  traceHeaders,
  withSpan,
} from './trace-context.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function started(options: Partial<Parameters<typeof startTelemetry>[0]> = {}): Telemetry {
  const telemetry = startTelemetry({ service: 'csms-test', tracing: 'off', ...options });
  cleanups.push(() => telemetry.shutdown());
  return telemetry;
}

async function ops(telemetry: Telemetry | undefined, ready: () => boolean = () => true): Promise<OpsServer> {
  const server = await startOpsServer({
    host: '127.0.0.1',
    port: 0,
    ready,
    ...(telemetry ? { metrics: telemetry.metricsHandler } : {}),
  });
  cleanups.push(() => server.close());
  return server;
}

async function get(
  server: OpsServer,
  path: string,
  method = 'GET',
): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
  return { status: response.status, body: await response.text() };
}

/** Samples of one metric in a Prometheus text exposition, as `{labels} value` lines. */
function samples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => line.slice(name.length));
}

describe('startOpsServer', () => {
  it('answers /healthz, /readyz from ready(), 404 for /metrics without telemetry and for unknown paths', async () => {
    let ready = false;
    const server = await ops(undefined, () => ready);
    expect(await get(server, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect((await get(server, '/readyz')).status).toBe(503);
    ready = true;
    expect(await get(server, '/readyz')).toEqual({ status: 200, body: 'ready\n' });
    expect((await get(server, '/metrics')).status).toBe(404);
    expect((await get(server, '/nope')).status).toBe(404);
    expect((await get(server, '/healthz', 'POST')).status).toBe(405);
  });

  it('answers 500 instead of crashing when ready() throws', async () => {
    const server = await ops(undefined, () => {
      throw new Error('probe failed');
    });
    const { status, body } = await get(server, '/readyz');
    expect(status).toBe(500);
    expect(body).toContain('probe failed');
    expect((await get(server, '/healthz')).status).toBe(200);
  });
});

describe('startTelemetry metrics', () => {
  it('exports the OCPP response time with explicit sub-second buckets', async () => {
    const telemetry = started();
    const server = await ops(telemetry);
    const attributes = { action: 'BootNotification', version: 'ocpp2.0.1', outcome: 'result' } as const;
    telemetry.metrics.ocppResponseSeconds.record(0.003, attributes);
    telemetry.metrics.ocppResponseSeconds.record(0.2, attributes);
    const { status, body } = await get(server, '/metrics');
    expect(status).toBe(200);
    const buckets = samples(body, 'csms_ocpp_response_seconds_bucket');
    const labels = 'action="BootNotification",version="ocpp2.0.1",outcome="result"';
    // 3 ms is below 5 ms: with OpenTelemetry's default buckets (0, 5, 10, ... in "seconds") both samples would
    // fall into le="5".
    expect(buckets).toContain(`{${labels},le="0.0025"} 0`);
    expect(buckets).toContain(`{${labels},le="0.005"} 1`);
    expect(buckets).toContain(`{${labels},le="0.25"} 2`);
    expect(buckets).toContain(`{${labels},le="+Inf"} 2`);
    expect(samples(body, 'csms_ocpp_response_seconds_count')).toEqual([`{${labels}} 2`]);
  });

  it('exports every name of the metric catalogue, and the event-loop delay gauges', async () => {
    const telemetry = started();
    const server = await ops(telemetry);
    recordEveryInstrument(telemetry.metrics);
    // The runtime instrumentation reports the event-loop delay once it has a few samples (10 ms resolution).
    await new Promise((resolve) => setTimeout(resolve, 150));
    const { body } = await get(server, '/metrics');
    const exported = new Set(
      body
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('#'))
        .map((line) => line.split(/[{ ]/)[0]),
    );
    const missing = prometheusSeriesNames().filter((name) => !exported.has(name));
    expect(missing).toEqual([]);
    expect(RUNTIME_METRICS.map((d) => d.name)).toContain('nodejs_eventloop_delay_p99');
    const p99 = samples(body, 'nodejs_eventloop_delay_p99')[0];
    expect(Number(p99?.trim())).toBeGreaterThan(0);
  });

  it('can be shut down and started again; a second start while running throws', async () => {
    const first = startTelemetry({ service: 'a', tracing: 'off' });
    expect(() => startTelemetry({ service: 'b', tracing: 'off' })).toThrow(/already running/);
    await first.shutdown();
    const second = started();
    second.metrics.failoversTotal.add(1);
    const server = await ops(second);
    expect(samples((await get(server, '/metrics')).body, 'csms_failovers_total')).toEqual([' 1']);
  });

  it('offers no-op instruments that accept records without telemetry', () => {
    const metrics = noopCsmsMetrics();
    expect(() => recordEveryInstrument(metrics)).not.toThrow();
    expect(noopCsmsMetrics()).toBe(metrics);
  });
});

describe('traces and logs', () => {
  it('adds trace_id and span_id of the active span to log lines, and nothing outside a span', () => {
    const exporter = new InMemorySpanExporter();
    started({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const lines: string[] = [];
    const log = createLogger({ service: 'edge', destination: { write: (s: string) => void lines.push(s) } });
    const span = csmsTracer().startSpan('ocpp Heartbeat');
    otelContext.with(withSpan(span), () => log.info({ stationId: 'CP1' }, 'inside'));
    span.end();
    log.info('outside');
    const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(inside).toMatchObject({
      msg: 'inside',
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
    });
    expect(inside?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(outside).not.toHaveProperty('trace_id');
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['ocpp Heartbeat']);
  });

  it('carries the trace context through headers (W3C traceparent), case-insensitively', () => {
    const exporter = new InMemorySpanExporter();
    started({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const parent = csmsTracer().startSpan('edge');
    const headers = traceHeaders(withSpan(parent));
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const canonical = { Traceparent: headers.traceparent ?? '' };
    const child = csmsTracer().startSpan('actor', {}, contextFromHeaders(canonical));
    child.end();
    parent.end();
    const [actor] = exporter.getFinishedSpans();
    expect(actor?.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(actor?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(traceHeaders()).toEqual({});
  });

  it('with tracing off samples nothing but still gives log lines a propagated trace id', () => {
    started({ tracing: 'off' });
    const lines: string[] = [];
    const log = createLogger({
      service: 'worker',
      destination: { write: (s: string) => void lines.push(s) },
    });
    const span = csmsTracer().startSpan('ocpp Heartbeat');
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    const headers = traceHeaders(withSpan(span));
    expect(headers.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-00`);
    // The worker's span continues the edge's trace with a span id of its own, and its log lines say so.
    const child = csmsTracer().startSpan('actor Heartbeat', {}, contextFromHeaders(headers));
    expect(child.spanContext().traceId).toBe(span.spanContext().traceId);
    expect(child.spanContext().spanId).not.toBe(span.spanContext().spanId);
    otelContext.with(withSpan(child), () => log.info('inside'));
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      trace_id: span.spanContext().traceId,
      span_id: child.spanContext().spanId,
    });
    const root = csmsTracer().startSpan('command', { root: true }, contextFromHeaders(headers));
    expect(root.spanContext().traceId).not.toBe(span.spanContext().traceId);
    const active = csmsTracer().startActiveSpan('active', (s) => s.spanContext().traceId);
    expect(active).toMatch(/^[0-9a-f]{32}$/);
    span.end();
  });

  it('builds span attributes only while spans are recorded', async () => {
    const build = () => ({ 'ocpp.action': 'Heartbeat' });
    expect(spanAttributes(build)).toEqual({ 'ocpp.action': 'Heartbeat' }); // no telemetry: whoever registered
    const off = startTelemetry({ service: 'csms-test', tracing: 'off' });
    expect(spanAttributes(build)).toBeUndefined();
    await off.shutdown();
    expect(spanAttributes(build)).toEqual({ 'ocpp.action': 'Heartbeat' });
    started({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
    expect(spanAttributes(build)).toEqual({ 'ocpp.action': 'Heartbeat' });
  });
});

function recordEveryInstrument(m: CsmsMetrics): void {
  const v = { version: 'ocpp1.6' };
  m.ocppResponseSeconds.record(0.01, { action: 'Heartbeat', outcome: 'result', ...v });
  m.ocppCallsTotal.add(1, { action: 'Heartbeat', direction: 'station', outcome: 'result', ...v });
  m.connections.add(1, v);
  m.csmsCallSeconds.record(0.02, { action: 'Reset', outcome: 'result', ...v });
  m.csmsCallsInFlight.add(1, { action: 'Reset' });
  m.csmsCallsQueued.add(1, { action: 'Reset' });
  m.csmsCallTimeoutsTotal.add(1, { action: 'Reset' });
  m.bootNotificationsTotal.add(1, { status: 'Accepted', ...v });
  m.partitionOwnershipChangesTotal.add(1, { change: 'acquired' });
  m.failoversTotal.add(1);
  m.validationErrorsTotal.add(1, { code: 'FormationViolation', kind: 'call', ...v });
  m.busRequestSeconds.record(0.001, { subject: 'ocpp.in', outcome: 'ok' });
  m.stationCallRetriesTotal.add(1, { failure: 'no-responders' });
  m.actorCallSeconds.record(0.004, { action: 'Heartbeat', outcome: 'result', ...v });
  m.stationCallsOverlappingTotal.add(1, { outcome: 'queued', ...v });
  m.stationAlertsTotal.add(1, { severity: '4', trigger: 'Alerting' });
  m.overloadRefusalsTotal.add(1, { action: 'BootNotification', ...v });
  m.overloaded.add(1);
  expect(Object.keys(m).sort()).toEqual(Object.keys(CSMS_METRICS).sort());
}
