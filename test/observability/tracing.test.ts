/**
 * One trace across edge -> bus -> actor -> database, and the metrics of the exchange on /metrics: the real
 * edge and worker in one process over the real MemoryBus, a real PostgreSQL database, and an independent OCPP
 * client (ocpp-rpc).
 */
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startOpsServer, startTelemetry, type Logger, type OpsServer, type Telemetry } from '@csms/telemetry';
import type { StationApi } from '@csms/bus';
import type { Database, Kysely } from '@csms/db';
import type { RPCClient } from 'ocpp-rpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Telemetry must be started before `pg` is loaded (the instrumentation patches it on load): everything that
// imports pg (the database package, the app's credential store, the test database helper) is imported
// dynamically, after startTelemetry.
const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
let ops: OpsServer;
let stop: () => Promise<void>;
let connect: (id: string, strictMode?: boolean) => Promise<RPCClient>;
let stations: StationApi;
let reset201: (stationId: string) => Promise<unknown>;

beforeAll(async () => {
  telemetry = startTelemetry({
    service: 'csms-test',
    tracing: 'off',
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const { createTestDatabase } = await import('../support/databases.js');
  const { migrateToLatest, openDatabase } = await import('@csms/db');
  const { MemoryBus, StationApi } = await import('@csms/bus');
  const { EdgeServer } = await import('@csms/edge');
  const { Worker } = await import('@csms/worker');
  const { createValidator } = await import('@csms/ocpp');
  const { DbCredentialStore } = await import('@csms/app');
  const { createLogger } = await import('@csms/telemetry');
  const { traceHeaders } = await import('@csms/telemetry');

  const testDb = await createTestDatabase();
  const database = await openDatabase({ kind: 'postgres', url: testDb.url });
  await migrateToLatest(database.db);
  const validator = createValidator();
  const bus = new MemoryBus();
  const log = createLogger({ service: 'csms-test', level: 'silent' });
  const worker = new Worker({ bus, db: database.db, validator, log, metrics: telemetry.metrics });
  await worker.start();
  const edge = new EdgeServer({
    edgeId: 'edge-test',
    host: '127.0.0.1',
    port: 0,
    bus,
    validator,
    credentials: new DbCredentialStore(database.db),
    autoRegister: true,
    pingIntervalMs: 0,
    metrics: telemetry.metrics,
  });
  const { port } = await edge.start();
  ops = await startOpsServer({
    host: '127.0.0.1',
    port: 0,
    metrics: telemetry.metricsHandler,
    ready: () => true,
  });
  // As the app wires it (components.ts): commands carry the trace context of the caller's active span.
  stations = new StationApi(
    bus,
    { queueWaitMs: 5_000, timeoutMs: 5_000 },
    { contextHeaders: () => traceHeaders() },
  );
  const api = await startOcpp201Api(stations, database.db, log);
  reset201 = api.reset201;
  const clients = await stationClients(port);
  connect = clients.connect;
  stop = async () => {
    await clients.closeAll();
    await api.stop();
    await edge.stop({ graceMs: 100 });
    await worker.stop();
    await ops.close();
    await bus.close();
    await database.close();
    await testDb.drop();
    await telemetry.shutdown();
  };
});

afterAll(() => stop());

/** The Ocpp201Service on a gRPC server and a client of it (loaded after startTelemetry, like pg). */
async function startOcpp201Api(stations: StationApi, db: Kysely<Database>, logger: Logger) {
  // gRPC after startTelemetry too: its instrumentation gives the server span the command must continue.
  const { connectApi, ocpp201V1, startApiServer } = await import('@csms/grpc');
  const { createOcpp201Service } = await import('@csms/station-api');
  const api = await startApiServer({ host: '127.0.0.1', port: 0, auth: { kind: 'none' }, logger }, [
    createOcpp201Service({ stations, db, logger }),
  ]);
  const connection = connectApi({ address: `127.0.0.1:${api.port}` });
  const ocpp201 = connection.client(ocpp201V1.Ocpp201ServiceDefinition);
  return {
    reset201: (stationId: string) => ocpp201.reset({ stationId, payload: { type: 'Immediate' } }),
    stop: async () => {
      connection.close();
      await api.stop();
    },
  };
}

/** Independent OCPP 2.0.1 clients (ocpp-rpc) of the edge on `port`, answering Reset Accepted. */
async function stationClients(port: number) {
  const { RPCClient } = await import('ocpp-rpc');
  const clients: RPCClient[] = [];
  const connect = async (identity: string, strictMode = true): Promise<RPCClient> => {
    const client = new RPCClient({
      endpoint: `ws://127.0.0.1:${port}/ocpp`,
      identity,
      protocols: ['ocpp2.0.1'],
      // Strict: the client validates both directions (our answers must be valid OCPP); off to send bad input.
      strictMode,
      reconnect: false,
    } as ConstructorParameters<typeof RPCClient>[0]);
    client.handle('Reset', () => Promise.resolve({ status: 'Accepted' }));
    await client.connect();
    clients.push(client);
    return client;
  };
  const closeAll = async (): Promise<void> => {
    await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
  };
  return { connect, closeAll };
}

async function metricsText(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${ops.port}/metrics`)).text();
}

function spansNamed(name: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.name === name);
}

/** True when `ancestor` is on the parent chain of `span`. */
function descendsFrom(span: ReadableSpan, ancestor: ReadableSpan): boolean {
  const byId = new Map(exporter.getFinishedSpans().map((s) => [s.spanContext().spanId, s]));
  let parentId = span.parentSpanContext?.spanId;
  while (parentId !== undefined) {
    if (parentId === ancestor.spanContext().spanId) return true;
    parentId = byId.get(parentId)?.parentSpanContext?.spanId;
  }
  return false;
}

describe('observability of a station CALL', () => {
  it('traces edge -> actor -> PostgreSQL in one trace and exports its response time per action', async () => {
    const client = await connect('OBS-1');
    const answer = (await client.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: 'M1', vendorName: 'V1' },
    })) as { status: string };
    expect(answer.status).toBe('Accepted');

    await expect.poll(() => spansNamed('ocpp BootNotification').length).toBe(1);
    const [edge] = spansNamed('ocpp BootNotification');
    const [actor] = spansNamed('actor BootNotification');
    expect(edge?.kind).toBe(SpanKind.SERVER);
    expect(edge?.attributes).toMatchObject({
      'ocpp.station_id': 'OBS-1',
      'ocpp.action': 'BootNotification',
      'ocpp.version': 'ocpp2.0.1',
      'ocpp.outcome': 'result',
    });
    expect(edge?.attributes['ocpp.message_id']).toEqual(expect.any(String));
    expect(actor).toBeDefined();
    // One trace: the actor's span is the child of the edge's, carried over the bus in the headers.
    expect(actor?.spanContext().traceId).toBe(edge?.spanContext().traceId);
    expect(actor?.parentSpanContext?.spanId).toBe(edge?.spanContext().spanId);
    expect(actor?.attributes['ocpp.message_id']).toBe(edge?.attributes['ocpp.message_id']);
    // A BootNotification is one group-committed statement: a group-commit batch carries many callers' statements and
    // is not traced under any one of them. A CALL that runs in a database transaction is: its pipelines trace
    // themselves (pg's instrumentation does not end a submittable's span) under the actor's span.
    await client.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: new Date().toISOString(),
      triggerReason: 'CablePluggedIn',
      seqNo: 0,
      transactionInfo: { transactionId: 'OBS-TX-1' },
      evse: { id: 1, connectorId: 1 },
    });
    await expect.poll(() => spansNamed('actor TransactionEvent').length).toBe(1);
    const [txActor] = spansNamed('actor TransactionEvent');
    const pipelines = exporter
      .getFinishedSpans()
      .filter((s) => s.name === 'pg.pipeline' && descendsFrom(s, txActor!));
    expect(pipelines.length).toBeGreaterThan(0);
    expect(pipelines[0]?.kind).toBe(SpanKind.CLIENT);
    expect(pipelines.map((p) => String(p.attributes['db.query.text'])).join('\n')).toMatch(/"transactions"/);

    const text = await metricsText();
    const bucket = text
      .split('\n')
      .find((line) =>
        line.startsWith(
          'csms_ocpp_response_seconds_bucket{action="BootNotification",version="ocpp2.0.1",outcome="result",le="10"}',
        ),
      );
    expect(bucket).toMatch(/ 1$/);
    expect(text).toContain('csms_boot_notifications_total{status="Accepted",version="ocpp2.0.1"} 1');
    expect(text).toContain('csms_station_connections{version="ocpp2.0.1"} 1');
    expect(text).toMatch(/csms_actor_call_seconds_count\{action="BootNotification",[^}]*\} 1/);
  });

  it('counts a schema violation by code and answers it within the histogram', async () => {
    const client = await connect('OBS-2', false);
    await expect(client.call('Heartbeat', { unexpected: true })).rejects.toThrow(/additional|Occurrence/i);
    const text = await metricsText();
    expect(text).toMatch(
      /csms_validation_errors_total\{code="OccurrenceConstraintViolation",kind="call",version="ocpp2.0.1"\} 1|csms_validation_errors_total\{code="FormatViolation",kind="call",version="ocpp2.0.1"\} 1/,
    );
    expect(text).toMatch(
      /csms_ocpp_response_seconds_count\{action="Heartbeat",version="ocpp2.0.1",outcome="error"\} 1/,
    );
  });

  it('traces a CSMS command from the actor to the station and counts its answer', async () => {
    const client = await connect('OBS-3');
    await client.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: 'M1', vendorName: 'V1' },
    });
    const outcome = await stations.call('OBS-3', 'Reset', { type: 'Immediate' });
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });

    await expect.poll(() => spansNamed('ocpp Reset').length).toBe(1);
    const [command] = spansNamed('command Reset');
    const [call] = spansNamed('ocpp Reset');
    expect(call?.kind).toBe(SpanKind.CLIENT);
    expect(call?.attributes).toMatchObject({ 'ocpp.station_id': 'OBS-3', 'ocpp.outcome': 'result' });
    expect(call?.parentSpanContext?.spanId).toBe(command?.spanContext().spanId);

    const text = await metricsText();
    expect(text).toMatch(
      /csms_outbound_call_seconds_count\{action="Reset",version="ocpp2.0.1",outcome="result"\} 1/,
    );
    expect(text).toContain('csms_outbound_calls_in_flight{action="Reset"} 0');
    expect(text).toContain('csms_outbound_calls_queued{action="Reset"} 0');
    expect(text).toContain(
      'csms_ocpp_calls_total{action="Reset",version="ocpp2.0.1",direction="csms",outcome="result"} 1',
    );
  });

  it('continues the trace of a gRPC request: gRPC server -> command -> ocpp CALL to the station', async () => {
    const client = await connect('OBS-4');
    await client.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: 'M1', vendorName: 'V1' },
    });
    exporter.reset();
    await expect(reset201('OBS-4')).resolves.toMatchObject({ payload: { status: 'Accepted' } });

    await expect.poll(() => spansNamed('ocpp Reset').length).toBe(1);
    const [server] = exporter
      .getFinishedSpans()
      .filter((s) => s.kind === SpanKind.SERVER && s.name.endsWith('Ocpp201Service/Reset'));
    const [command] = spansNamed('command Reset');
    const [call] = spansNamed('ocpp Reset');
    expect(server).toBeDefined();
    expect(command?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(descendsFrom(call as ReadableSpan, server as ReadableSpan)).toBe(true);
    expect(call?.spanContext().traceId).toBe(server?.spanContext().traceId);
  });
});
