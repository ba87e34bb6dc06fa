import * as grpc from '@grpc/grpc-js';
import { connectApi, type ApiClient, Status, stationV1, type ApiConnection } from '@csms/grpc';
import { ServerReflectionService } from 'nice-grpc-server-reflection';
import {
  ServerReflectionRequest,
  type ServerReflectionResponse,
} from 'nice-grpc-server-reflection/lib/proto/grpc/reflection/v1/reflection_pb.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import { rejection } from '../support/grpc-rejection.js';

const { BootPolicy, WhenOffline } = stationV1;

describe('StationService (embedded, gRPC)', () => {
  let csms: TestCsms;
  let api: ApiConnection;
  let client: ApiClient<typeof stationV1.StationServiceDefinition>;

  beforeAll(async () => {
    csms = await startTestCsms({ env: { CSMS_AUTO_REGISTER: 'false' } });
    api = connectApi({ address: csms.grpcAddress });
    client = api.client(stationV1.StationServiceDefinition);
  });
  afterAll(async () => {
    api.close();
    await csms.close();
  });

  it('creates, reads, updates, lists and deletes stations', async () => {
    const created = await client.createStation({
      id: 'API-1',
      securityProfile: 1,
      bootPolicy: BootPolicy.BOOT_POLICY_PENDING,
      password: 'a-very-secret-password',
    });
    expect(created.station).toMatchObject({
      id: 'API-1',
      securityProfile: 1,
      bootPolicy: BootPolicy.BOOT_POLICY_PENDING,
      hasPassword: true,
      autoRegistered: false,
    });
    const updated = await client.updateStation({ id: 'API-1', bootPolicy: BootPolicy.BOOT_POLICY_ACCEPTED });
    expect(updated.station?.bootPolicy).toBe(BootPolicy.BOOT_POLICY_ACCEPTED);
    expect(updated.station?.hasPassword).toBe(true);
    for (const id of ['API-2', 'API-3', 'OTHER-1']) await client.createStation({ id, securityProfile: 0 });

    const first = await client.listStations({ pageSize: 2, idPrefix: 'API-' });
    expect(first.stations.map((s) => s.id)).toEqual(['API-1', 'API-2']);
    const second = await client.listStations({
      pageSize: 2,
      idPrefix: 'API-',
      pageToken: first.nextPageToken,
    });
    expect(second.stations.map((s) => s.id)).toEqual(['API-3']);
    expect(second.nextPageToken).toBe('');

    await client.deleteStation({ id: 'API-3' });
    expect((await rejection(client.getStation({ id: 'API-3' }))).code).toBe(Status.NOT_FOUND);
  });

  it('answers bad requests with INVALID_ARGUMENT, NOT_FOUND and ALREADY_EXISTS with details', async () => {
    const bad = await rejection(
      client.createStation({ id: 'bad/id', securityProfile: 7, password: 'short' }),
    );
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field).sort()).toEqual(['id', 'password', 'security_profile']);
    await client.createStation({ id: 'DUP-1', securityProfile: 0 });
    const dup = await rejection(client.createStation({ id: 'DUP-1', securityProfile: 0 }));
    expect(dup.code).toBe(Status.ALREADY_EXISTS);
    const missing = await rejection(client.updateStation({ id: 'NOPE-1', securityProfile: 1 }));
    expect(missing).toMatchObject({ code: Status.NOT_FOUND, reason: 'NOT_FOUND' });
    const token = await rejection(client.listStations({ pageToken: 'not-a-token!' }));
    expect(token.violations[0]?.field).toBe('page_token');
    const size = await rejection(client.listStations({ pageSize: 5000 }));
    expect(size.violations[0]?.field).toBe('page_size');
  });

  it('relays a generic Call to a connected station and maps every outcome to a status', async () => {
    await client.createStation({ id: 'CALL-1', securityProfile: 0 });
    const station = await csms.connect({
      identity: 'CALL-1',
      protocol: 'ocpp2.0.1',
      handlers: {
        Reset: () => ({ status: 'Accepted' }),
        GetVariables: () => {
          throw Object.assign(new Error('nope'), { rpcErrorCode: 'NotImplemented' });
        },
      },
    });
    await station.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: 'M', vendorName: 'V' },
    });
    const ok = await client.call({ stationId: 'CALL-1', action: 'Reset', payload: { type: 'Immediate' } });
    expect(ok.payload).toEqual({ status: 'Accepted' });

    const invalid = await rejection(
      client.call({ stationId: 'CALL-1', action: 'Reset', payload: { type: 'Soon' } }),
    );
    expect(invalid.code).toBe(Status.INVALID_ARGUMENT);
    expect(invalid.violations[0]?.field).toBe('payload');

    const callError = await rejection(
      client.call({
        stationId: 'CALL-1',
        action: 'GetVariables',
        payload: { getVariableData: [{ component: { name: 'X' }, variable: { name: 'Y' } }] },
      }),
    );
    expect(callError).toMatchObject({ code: Status.FAILED_PRECONDITION, reason: 'STATION_CALL_ERROR' });
    expect(callError.metadata.code).toBeTruthy();

    const offline = await rejection(
      client.call({ stationId: 'DUP-1', action: 'Reset', payload: { type: 'Immediate' } }),
    );
    expect(offline).toMatchObject({ code: Status.UNAVAILABLE, reason: 'STATION_OFFLINE' });
    const unknownStation = await rejection(
      client.call({ stationId: 'NEVER-SEEN', action: 'Reset', payload: { type: 'Immediate' } }),
    );
    expect(unknownStation.code).toBe(Status.UNAVAILABLE);
    const badAction = await rejection(client.call({ stationId: 'CALL-1', action: 'Re set', payload: {} }));
    expect(badAction.violations[0]?.field).toBe('action');
    await station.close({ force: true });
  });

  it('refuses calls to a station its boot policy Rejected (FAILED_PRECONDITION STATION_REJECTED, B03.FR.03)', async () => {
    await client.createStation({
      id: 'REJ-1',
      securityProfile: 0,
      bootPolicy: BootPolicy.BOOT_POLICY_REJECTED,
    });
    const station = await csms.connect({ identity: 'REJ-1', protocol: 'ocpp2.0.1' });
    const boot = (await station.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: 'M', vendorName: 'V' },
    })) as { status: string };
    expect(boot.status).toBe('Rejected');
    const refused = await rejection(
      client.call({ stationId: 'REJ-1', action: 'Reset', payload: { type: 'Immediate' } }),
    );
    expect(refused).toMatchObject({ code: Status.FAILED_PRECONDITION, reason: 'STATION_REJECTED' });
    await station.close({ force: true });
  });

  it('gives up waiting at the caller deadline (DEADLINE_EXCEEDED) while the station is silent', async () => {
    await client.createStation({ id: 'SLOW-1', securityProfile: 0 });
    const station = await csms.connect({
      identity: 'SLOW-1',
      protocol: 'ocpp1.6',
      handlers: { Reset: () => new Promise(() => undefined) },
    });
    await station.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    const started = Date.now();
    const late = await rejection(
      client.call(
        { stationId: 'SLOW-1', action: 'Reset', payload: { type: 'Soft' } },
        { deadline: new Date(Date.now() + 300) },
      ),
    );
    expect(late.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(5_000);
    await station.close({ force: true });
  });

  it('queues a call for an offline station and reports its outcome after delivery', async () => {
    await client.createStation({ id: 'Q-1', securityProfile: 0 });
    const first = await csms.connect({ identity: 'Q-1', protocol: 'ocpp1.6' });
    await first.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    await first.close({ force: true });
    await new Promise((r) => setTimeout(r, 200));
    const queued = await client.call({
      stationId: 'Q-1',
      action: 'ClearCache',
      payload: {},
      options: { whenOffline: WhenOffline.WHEN_OFFLINE_QUEUE, queueTtlMs: 60_000 },
    });
    expect(queued.queued?.id).toMatch(/^\d+$/);
    const pending = await client.getQueuedCall({ id: queued.queued!.id });
    expect(pending).toMatchObject({ stationId: 'Q-1', action: 'ClearCache', state: 'queued' });
    const again = await csms.connect({
      identity: 'Q-1',
      protocol: 'ocpp1.6',
      handlers: { ClearCache: () => ({ status: 'Accepted' }) },
    });
    await again.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    await expect
      .poll(async () => (await client.getQueuedCall({ id: queued.queued!.id })).state, { timeout: 10_000 })
      .toBe('done');
    const done = await client.getQueuedCall({ id: queued.queued!.id });
    expect(done.outcome).toMatchObject({ status: 'result', payload: { status: 'Accepted' } });
    expect((await rejection(client.getQueuedCall({ id: '999999' }))).code).toBe(Status.NOT_FOUND);
    expect((await rejection(client.getQueuedCall({ id: 'x' }))).code).toBe(Status.INVALID_ARGUMENT);
    await again.close({ force: true });
  });

  it('streams station events (connected, booted, status-changed) filtered by station', async () => {
    await client.createStation({ id: 'EV-1', securityProfile: 0 });
    const controller = new AbortController();
    const events: stationV1.StationEvent[] = [];
    const reading = (async () => {
      try {
        for await (const message of client.streamStationEvents(
          { stationIds: ['EV-1'] },
          { signal: controller.signal },
        )) {
          if (message.event) events.push(message.event);
        }
      } catch {
        // aborted below
      }
    })();
    await new Promise((r) => setTimeout(r, 300)); // the subscription is live
    const station = await csms.connect({ identity: 'EV-1', protocol: 'ocpp1.6' });
    await station.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    await station.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    await expect
      .poll(() => events.map((e) => e.type), { timeout: 5_000 })
      .toEqual(expect.arrayContaining(['connected', 'booted', 'status-changed']));
    expect(events.every((e) => e.stationId === 'EV-1')).toBe(true);
    expect(events.find((e) => e.type === 'status-changed')?.data).toMatchObject({ status: 'Available' });
    controller.abort();
    await reading;
    const bad = await rejection(
      (async () => {
        for await (const _ of client.streamStationEvents({ types: ['no.such>'] })) break;
      })(),
    );
    expect(bad.code).toBe(Status.INVALID_ARGUMENT);
    await station.close({ force: true });
  });

  it('serves gRPC health checks and server reflection', async () => {
    const reflection = grpc.makeClientConstructor(ServerReflectionService, 'ServerReflection');
    const raw = new reflection(csms.grpcAddress, grpc.credentials.createInsecure()) as unknown as {
      serverReflectionInfo(): grpc.ClientDuplexStream<ServerReflectionRequest, ServerReflectionResponse>;
      close(): void;
    };
    const stream = raw.serverReflectionInfo();
    const request = new ServerReflectionRequest();
    request.setListServices('*');
    const names = await new Promise<string[]>((resolve, reject) => {
      stream.on('data', (response: ServerReflectionResponse) =>
        resolve((response.getListServicesResponse()?.getServiceList() ?? []).map((s) => s.getName())),
      );
      stream.on('error', reject);
      stream.write(request);
    });
    stream.end();
    raw.close();
    expect(names).toEqual(
      expect.arrayContaining(['csms.station.v1.StationService', 'grpc.health.v1.Health']),
    );
  });
});

describe('StationService credential (CSMS_API_TOKEN)', () => {
  let csms: TestCsms;
  beforeAll(async () => {
    csms = await startTestCsms({ env: { CSMS_API_TOKEN: 'operator-token-123' } });
  });
  afterAll(() => csms.close());

  it('refuses calls without the bearer token or with a wrong one, and accepts the right one', async () => {
    for (const token of [undefined, 'wrong-token']) {
      const api = connectApi({ address: csms.grpcAddress, ...(token ? { token } : {}) });
      const failure = await rejection(api.client(stationV1.StationServiceDefinition).listStations({}));
      expect(failure.code).toBe(Status.UNAUTHENTICATED);
      api.close();
    }
    const api = connectApi({ address: csms.grpcAddress, token: 'operator-token-123' });
    await expect(api.client(stationV1.StationServiceDefinition).listStations({})).resolves.toBeDefined();
    api.close();
  });
});
