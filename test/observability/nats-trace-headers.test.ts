/**
 * The trace context crosses NATS in message headers (NATS has no trace context of its own): a request's
 * `traceparent` reaches the responder unchanged, so the actor's span continues the edge's trace.
 */
import { randomBytes } from 'node:crypto';
import type { BusMessage } from '@csms/bus';
import { NatsBus, connectNats } from '@csms/bus/nats';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  contextFromHeaders,
  csmsTracer,
  startTelemetry,
  traceHeaders,
  withSpan,
  type Telemetry,
} from '@csms/telemetry';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
let requester: NatsBus;
let responder: NatsBus;

beforeAll(async () => {
  const url = inject('natsUrl');
  if (!url) throw new Error(`no NATS server for the tests: ${inject('natsError') || 'natsUrl not provided'}`);
  telemetry = startTelemetry({
    service: 'nats-test',
    tracing: 'off',
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  requester = new NatsBus(await connectNats({ servers: url, name: 'trace-requester' }));
  responder = new NatsBus(await connectNats({ servers: url, name: 'trace-responder' }));
});

afterAll(async () => {
  await requester?.close();
  await responder?.close();
  await telemetry?.shutdown();
});

describe('NatsBus trace headers', () => {
  it('delivers traceparent (and other headers) from the requester to the responder, whose span joins the trace', async () => {
    const subject = `test.trace.${randomBytes(4).toString('hex')}`;
    const received: BusMessage[] = [];
    await responder.subscribe(subject, (message) => {
      received.push(message);
      const span = csmsTracer().startSpan('actor Heartbeat', {}, contextFromHeaders(message.headers));
      span.end();
      return { ok: true, traceparent: message.headers.traceparent ?? null };
    });

    const edge = csmsTracer().startSpan('ocpp Heartbeat');
    const headers: Record<string, string> = { 'csms-station-id': 'CP-1', ...traceHeaders(withSpan(edge)) };
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const reply = await requester.request<{ ok: boolean; traceparent: string | null }>(
      subject,
      { n: 1 },
      {
        timeoutMs: 5_000,
        headers,
      },
    );
    edge.end();

    expect(reply).toEqual({ ok: true, traceparent: headers.traceparent });
    expect(received[0]?.headers).toMatchObject(headers);
    const actor = exporter.getFinishedSpans().find((s) => s.name === 'actor Heartbeat');
    expect(actor?.spanContext().traceId).toBe(edge.spanContext().traceId);
    expect(actor?.parentSpanContext?.spanId).toBe(edge.spanContext().spanId);
  });

  it('carries the headers of plain publications too', async () => {
    const subject = `test.trace.${randomBytes(4).toString('hex')}`;
    let deliver: (message: BusMessage) => void = () => {};
    const got = new Promise<BusMessage>((resolve) => (deliver = resolve));
    // subscribe() resolves once the server knows the subscription.
    await responder.subscribe(subject, (message) => deliver(message));
    const span = csmsTracer().startSpan('publisher');
    const headers = traceHeaders(withSpan(span));
    await requester.publish(subject, { n: 2 }, { headers });
    span.end();
    expect((await got).headers.traceparent).toBe(headers.traceparent);
  });
});
