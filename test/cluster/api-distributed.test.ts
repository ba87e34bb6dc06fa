/**
 * Every gRPC service in the distributed topology: `csms api`, `auth`, `transaction`, `firmware`,
 * `smart-charging`, two workers and an edge as separate OS processes over NATS and PostgreSQL, operated
 * through generated clients (and csmsctl) with independent OCPP stations (ocpp-rpc, strict mode)
 * answering the CSMS's calls. The workers call `auth` and `transaction` over gRPC: a test freezes the
 * auth process and watches station CALLs that need it fail, then recover.
 */
import { runCli } from '@csms/csmsctl';
import {
  authV1,
  connectApi,
  firmwareV1,
  HealthDefinition,
  smartChargingV1,
  Status,
  stationV1,
  transactionV1,
  type ApiConnection,
} from '@csms/grpc';
import { sql } from '@csms/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDistributedCsms, type DistributedCsms } from '../support/distributed-csms.js';
import { actionsOf, callTypedAction, samples, V16, V201 } from '../support/ocpp-command-samples.js';
import { booted16, booted201 } from '../support/octt-states.js';
import { connect16, connect201, uniqueId, type SimStation } from '../support/scenario.js';
import { rejection } from '../support/grpc-rejection.js';

/** Retries `check` until it stops throwing (10 s). */
const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 10_000, interval: 50 });

/** Repeats `call` while it fails with STATION_OFFLINE (a refusal that sends nothing to the station), up to 10 s. */
async function untilActorSeesConnection<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await call();
    } catch (error: unknown) {
      if (!String(error).includes('STATION_OFFLINE') || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

let system: DistributedCsms;
let api: ApiConnection;
const connections: ApiConnection[] = [];

function connection(address: string): ApiConnection {
  const c = connectApi({ address, token: system.token });
  connections.push(c);
  return c;
}

beforeAll(async () => {
  system = await startDistributedCsms();
  api = connection(system.grpcAddress);
}, 180_000);

afterAll(async () => {
  for (const c of connections) c.close();
  await system?.close();
}, 120_000);

const stations = () => api.client(stationV1.StationServiceDefinition);
const auth = () => connection(system.address('auth')).client(authV1.AuthServiceDefinition);
const transactions = () =>
  connection(system.address('transaction')).client(transactionV1.TransactionServiceDefinition);
const firmware = () => connection(system.address('firmware')).client(firmwareV1.FirmwareServiceDefinition);
const charging = () =>
  connection(system.address('smart-charging')).client(smartChargingV1.SmartChargingServiceDefinition);

describe('distributed topology: every process', () => {
  it('answers gRPC health checks and refuses calls without the token', async () => {
    for (const role of ['api', 'auth', 'transaction', 'firmware', 'smart-charging'] as const) {
      const anonymous = connectApi({ address: system.address(role) });
      connections.push(anonymous);
      const { status } = await anonymous.client(HealthDefinition).check({ service: '' });
      expect(status as number, role).toBe(1); // SERVING
    }
    const anonymous = connectApi({ address: system.grpcAddress });
    connections.push(anonymous);
    const denied = await rejection(anonymous.client(stationV1.StationServiceDefinition).listStations({}));
    expect(denied.code).toBe(Status.UNAUTHENTICATED);
    // The api address is the one address of the whole API: health knows every service there.
    for (const service of [
      'csms.station.v1.StationService',
      'csms.auth.v1.AuthService',
      'csms.transaction.v1.TransactionService',
      'csms.firmware.v1.FirmwareService',
      'csms.smart_charging.v1.SmartChargingService',
    ]) {
      const { status } = await anonymous.client(HealthDefinition).check({ service });
      expect(status as number, service).toBe(1); // SERVING
    }
    const denied2 = await rejection(anonymous.client(authV1.AuthServiceDefinition).listIdTokens({}));
    expect(denied2.code).toBe(Status.UNAUTHENTICATED);
  });
});

describe('distributed topology: station API', () => {
  it('registry: create, get, update, list, delete', async () => {
    const id = uniqueId('REG');
    await stations().createStation({ id, securityProfile: 1, password: 'a-secret-of-16-chars' });
    expect((await stations().getStation({ id })).station?.hasPassword).toBe(true);
    const updated = await stations().updateStation({
      id,
      bootPolicy: stationV1.BootPolicy.BOOT_POLICY_PENDING,
    });
    expect(updated.station?.bootPolicy).toBe(stationV1.BootPolicy.BOOT_POLICY_PENDING);
    expect((await stations().listStations({ idPrefix: id })).stations.map((s) => s.id)).toEqual([id]);
    await stations().deleteStation({ id });
    expect((await rejection(stations().getStation({ id }))).code).toBe(Status.NOT_FOUND);
  });

  it('events stream, generic Call, queued call, and the status of bad requests', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const id = uniqueId('CALL16');
    const reading = (async () => {
      try {
        for await (const { event } of stations().streamStationEvents(
          { stationIds: [id] },
          { signal: controller.signal },
        ))
          if (event) seen.push(event.type);
      } catch {
        // aborted
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    const cp = await connect16(system, { id });
    await booted16(cp);
    cp.respond('Reset', { status: 'Accepted' });
    const answer = await stations().call({ stationId: id, action: 'Reset', payload: { type: 'Soft' } });
    expect(answer.payload).toEqual({ status: 'Accepted' });
    await waitFor(() => expect(seen).toEqual(expect.arrayContaining(['connected', 'booted'])));
    controller.abort();
    await reading;

    const invalid = await rejection(stations().call({ stationId: id, action: 'Reset', payload: {} }));
    expect(invalid.code).toBe(Status.INVALID_ARGUMENT);
    const unknown = await rejection(
      stations().call({ stationId: uniqueId('NOBODY'), action: 'Reset', payload: { type: 'Soft' } }),
    );
    expect(unknown).toMatchObject({ code: Status.UNAVAILABLE, reason: 'STATION_OFFLINE' });
    // Answers after the CSMS gave up (timeout_ms 1500) and after the caller's deadline (300 ms).
    cp.respond('ClearCache', () => new Promise((r) => setTimeout(() => r({ status: 'Accepted' }), 2_500)));
    const late = await rejection(
      stations().call(
        { stationId: id, action: 'ClearCache', payload: {}, options: { timeoutMs: 1500 } },
        { deadline: new Date(Date.now() + 300) },
      ),
    );
    expect(late.code).toBe(Status.DEADLINE_EXCEEDED);
    await cp.close();

    await waitFor(async () =>
      expect(
        (
          await stations().call({
            stationId: id,
            action: 'ChangeAvailability',
            payload: { connectorId: 0, type: 'Inoperative' },
            options: { whenOffline: stationV1.WhenOffline.WHEN_OFFLINE_QUEUE },
          })
        ).queued,
      ).toBeDefined(),
    );
    const queued = await stations().listStations({ idPrefix: id });
    expect(queued.stations).toHaveLength(1);
    const [row] = await sql<{ id: string }>`select id::text from queued_commands where station_id = ${id}`
      .execute(system.database.db)
      .then((r) => r.rows);
    expect((await stations().getQueuedCall({ id: row!.id })).state).toBe('queued');
  });

  for (const version of [V16, V201]) {
    it(`${version.label}: every typed OCPP RPC reaches the station through the api process`, async () => {
      const station: SimStation<never> =
        version === V16
          ? ((await connect16(system)) as unknown as SimStation<never>)
          : ((await connect201(system)) as unknown as SimStation<never>);
      const respond = station.respond.bind(station) as (action: string, answer: unknown) => void;
      const actions = actionsOf(version);
      for (const action of actions) respond(action, samples(version, action, 'minimal').response);
      for (const [index, action] of actions.entries()) {
        const { request, response } = samples(version, action, 'minimal');
        const call = () => callTypedAction(api, version, action, station.id, request);
        // The socket is open before the edge's `connected` event has reached the actor over NATS; until
        // then a command is refused STATION_OFFLINE without reaching the station: the first one waits for it.
        const answer = index === 0 ? await untilActorSeesConnection(call) : await call();
        expect(answer, action).toEqual(response);
      }
      expect(station.received.map((r) => r.action)).toEqual(actions);
      await station.close();
    }, 120_000);
  }
});

describe('distributed topology: auth service', () => {
  it('id tokens, Authorize, and station CALLs authorized through the auth process', async () => {
    const token = uniqueId('TAG').slice(0, 20);
    await auth().createIdToken({
      idToken: token,
      status: authV1.AuthorizationStatus.AUTHORIZATION_STATUS_ACCEPTED,
      groupId: 'FLEET',
    });
    expect((await auth().getIdToken({ idToken: token })).token?.groupId).toBe('FLEET');
    await auth().updateIdToken({ idToken: token, groupId: 'FLEET-2' });
    expect((await auth().listIdTokens({ idTokenPrefix: token })).tokens).toHaveLength(1);
    const decision = await auth().authorize({ idToken: token, stationId: 'X' });
    expect(decision).toMatchObject({ status: authV1.AuthorizationStatus.AUTHORIZATION_STATUS_ACCEPTED });
    const cp = await connect16(system);
    await booted16(cp);
    expect((await cp.call('Authorize', { idTag: token })).idTagInfo).toMatchObject({
      status: 'Accepted',
      parentIdTag: 'FLEET-2',
    });
    await auth().deleteIdToken({ idToken: token });
    expect((await cp.call('Authorize', { idTag: token })).idTagInfo.status).toBe('Invalid');
    await cp.close();
  });

  it('local lists, password rotation and security profile', async () => {
    const cp = await connect16(system);
    await booted16(cp);
    cp.respond('SendLocalList', { status: 'Accepted' });
    cp.respond('GetLocalListVersion', { listVersion: 1 });
    cp.respond('ChangeConfiguration', { status: 'Accepted' });
    const sent = await auth().sendLocalList({
      stationId: cp.id,
      updateType: authV1.UpdateType.UPDATE_TYPE_FULL,
      entries: [{ idToken: 'LL-1', status: authV1.AuthorizationStatus.AUTHORIZATION_STATUS_ACCEPTED }],
    });
    expect(sent).toMatchObject({ status: authV1.LocalListStatus.LOCAL_LIST_STATUS_ACCEPTED, version: 1 });
    expect(cp.requests('SendLocalList')[0]).toMatchObject({ listVersion: 1, updateType: 'Full' });
    expect((await auth().getLocalList({ stationId: cp.id })).entries).toHaveLength(1);
    expect(await auth().getLocalListVersion({ stationId: cp.id })).toMatchObject({
      stationVersion: 1,
      storedVersion: 1,
      inSync: true,
    });
    const rotated = await auth().rotateStationPassword({ stationId: cp.id });
    expect(rotated.changed).toBe(true);
    expect(cp.requests('ChangeConfiguration')[0]).toMatchObject({ key: 'AuthorizationKey' });
    await auth().setStationSecurityProfile({ stationId: cp.id, securityProfile: 1 });
    expect((await stations().getStation({ id: cp.id })).station?.securityProfile).toBe(1);
    await cp.close();
  });

  it('a frozen auth process: CALLs that need it fail (the station retries), then work again', async () => {
    const cp = await connect16(system);
    await booted16(cp);
    const authProcess = system.cluster.services().find((p) => p.role === 'auth')!;
    authProcess.signal('SIGSTOP');
    try {
      // The worker's call to auth misses its deadline: InternalError, which the station may retry.
      await expect(cp.call('Authorize', { idTag: 'FROZEN' })).rejects.toMatchObject({
        rpcErrorCode: 'InternalError',
      });
    } finally {
      authProcess.signal('SIGCONT');
    }
    expect((await cp.call('Authorize', { idTag: 'FROZEN' })).idTagInfo.status).toBe('Invalid');
    await cp.close();
  }, 60_000);
});

describe('distributed topology: transaction service', () => {
  it('records through the transaction process (fenced) and lists, gets, streams', async () => {
    const controller = new AbortController();
    const streamed: string[] = [];
    const cp = await connect16(system);
    const reading = (async () => {
      try {
        for await (const message of transactions().streamTransactionEvents(
          { stationIds: [cp.id] },
          { signal: controller.signal },
        ))
          streamed.push(JSON.stringify(message));
      } catch {
        // aborted
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    await booted16(cp);
    const started = await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: 'UNKNOWN-TAG',
      meterStart: 1000,
      timestamp: new Date().toISOString(),
    });
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: started.transactionId,
      meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '1500' }] }],
    });
    await cp.call('StopTransaction', {
      transactionId: started.transactionId,
      meterStop: 2000,
      timestamp: new Date().toISOString(),
    });
    const cs = await connect201(system);
    await booted201(cs);
    const txId = uniqueId('TX');
    await cs.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: new Date().toISOString(),
      triggerReason: 'CablePluggedIn',
      seqNo: 0,
      transactionInfo: { transactionId: txId },
      evse: { id: 1, connectorId: 1 },
    });

    const list = await transactions().listTransactions({ stationId: cp.id });
    expect(list.transactions).toHaveLength(1);
    const tx = list.transactions[0]!;
    expect(tx).toMatchObject({ transactionId: String(started.transactionId), meterStopWh: 2000 });
    expect((await transactions().getTransaction({ id: tx.id })).transaction?.id).toBe(tx.id);
    expect(
      (await transactions().listMeterValues({ transactionId: tx.id })).meterValues.length,
    ).toBeGreaterThan(0);
    const events = await transactions().listTransactionEvents({ stationId: cs.id, transactionId: txId });
    expect(events.events).toHaveLength(1);
    await waitFor(() => expect(streamed.length).toBeGreaterThanOrEqual(2));
    controller.abort();
    await reading;
    // Written by the transaction process for a partitioned worker: the row carries the lease epoch.
    const rows = await sql<{ owner_epoch: string | null }>`
      select owner_epoch::text from transactions where station_id in (${cp.id}, ${cs.id})`.execute(
      system.database.db,
    );
    expect(rows.rows).toHaveLength(2);
    for (const row of rows.rows) expect(row.owner_epoch).not.toBeNull();
    await cp.close();
    await cs.close();
  });
});

describe('distributed topology: firmware and smart-charging services', () => {
  it('a firmware campaign and a log upload, tracked from the stations notifications; cancel', async () => {
    const cs = await connect201(system);
    await booted201(cs);
    cs.respond('UpdateFirmware', (request) => {
      setTimeout(() => {
        void cs.call('FirmwareStatusNotification', { status: 'Installed', requestId: request.requestId });
      }, 50);
      return { status: 'Accepted' };
    });
    const { campaign } = await firmware().startFirmwareUpdate({
      stationIds: [cs.id],
      firmware: { location: 'https://fw.example.com/v2.bin', retrieveTime: new Date() },
    });
    await waitFor(async () =>
      expect({
        campaign: (await firmware().getCampaign({ id: campaign!.id })).campaign?.state,
        stations: (await firmware().listCampaignStations({ campaignId: campaign!.id })).stations,
      }).toMatchObject({ campaign: firmwareV1.CampaignState.CAMPAIGN_STATE_COMPLETED }),
    );
    const rows = await firmware().listCampaignStations({ campaignId: campaign!.id });
    expect(rows.stations[0]?.status).toBe(firmwareV1.StationStatus.STATION_STATUS_SUCCEEDED);
    expect((await firmware().listCampaigns({})).campaigns.map((c) => c.id)).toContain(campaign!.id);

    cs.respond('GetLog', { status: 'Accepted', filename: 'log.tgz' });
    const upload = await firmware().startLogUpload({
      stationIds: [cs.id, uniqueId('OFFLINE')],
      log: { logType: firmwareV1.LogType.LOG_TYPE_DIAGNOSTICS, remoteLocation: 'https://logs.example.com/' },
    });
    await waitFor(() => expect(cs.requests('GetLog')).toHaveLength(1));
    const canceled = await firmware().cancelCampaign({ id: upload.campaign!.id });
    expect(canceled.campaign?.state).toBe(firmwareV1.CampaignState.CAMPAIGN_STATE_CANCELED);
    await cs.close();
  });

  it('set, get, composite schedule and clear a charging profile', async () => {
    const cp = await connect16(system);
    await booted16(cp);
    cp.respond('SetChargingProfile', { status: 'Accepted' });
    cp.respond('ClearChargingProfile', { status: 'Accepted' });
    cp.respond('GetCompositeSchedule', { status: 'Accepted', connectorId: 1 });
    const set = await charging().setChargingProfile({
      stationId: cp.id,
      evseId: 0,
      profile: {
        id: 7,
        stackLevel: 0,
        purpose: smartChargingV1.ChargingProfilePurpose.CHARGING_PROFILE_PURPOSE_TX_DEFAULT_PROFILE,
        kind: smartChargingV1.ChargingProfileKind.CHARGING_PROFILE_KIND_ABSOLUTE,
        validFrom: new Date('2025-01-01T00:00:00Z'),
        schedules: [
          {
            startSchedule: new Date('2025-01-01T00:00:00Z'),
            chargingRateUnit: smartChargingV1.ChargingRateUnit.CHARGING_RATE_UNIT_A,
            periods: [{ startPeriod: 0, limit: 16 }],
          },
        ],
      },
    });
    expect(set.status).toBe(smartChargingV1.ChargingProfileStatus.CHARGING_PROFILE_STATUS_ACCEPTED);
    expect(cp.requests('SetChargingProfile')[0]).toMatchObject({ connectorId: 0 });
    expect((await charging().getChargingProfiles({ stationId: cp.id })).profiles).toHaveLength(1);
    const composite = await charging().getCompositeSchedule({
      stationId: cp.id,
      evseId: 1,
      durationSeconds: 3600,
    });
    expect(composite.status).toBe(smartChargingV1.CompositeScheduleStatus.COMPOSITE_SCHEDULE_STATUS_ACCEPTED);
    const cleared = await charging().clearChargingProfile({ stationId: cp.id, profileId: 7 });
    expect(cleared.status).toBe(
      smartChargingV1.ClearChargingProfileStatus.CLEAR_CHARGING_PROFILE_STATUS_ACCEPTED,
    );
    expect((await charging().getChargingProfiles({ stationId: cp.id })).profiles).toHaveLength(0);
    await cp.close();
  });
});

describe('distributed topology: csmsctl', () => {
  it('operates the api process', async () => {
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
    };
    const id = uniqueId('CTL');
    const base = ['--address', system.grpcAddress, '--token', system.token];
    expect(await runCli([...base, 'stations', 'create', id, '--profile', '0'], io, {})).toBe(0);
    expect(await runCli([...base, '--json', 'stations', 'get', id], io, {})).toBe(0);
    expect(stdout).toContain(`"id": "${id}"`);
    expect(await runCli([...base, 'call', id, 'Reset', '{"type":"Soft"}'], io, {})).toBe(1);
    expect(stderr).toMatch(/STATION_OFFLINE/);
    // Each domain service runs in its own process; the api address serves them all (it forwards).
    stdout = '';
    expect(await runCli([...base, '--json', 'tokens', 'list'], io, {})).toBe(0);
    expect(JSON.parse(stdout)).toBeTypeOf('object');
    expect(await runCli([...base, 'transactions', 'list'], io, {})).toBe(0);
    // --endpoint still sends one service's RPCs straight to its process.
    const endpoints = `auth=${system.address('auth')}`;
    expect(await runCli([...base, 'tokens', 'list'], io, { CSMSCTL_ENDPOINTS: endpoints })).toBe(0);
    // A domain service's error crosses the forwarder with its status, reason and field violations.
    stderr = '';
    expect(await runCli([...base, 'tokens', 'create', 'x'.repeat(300), '--type', 'Central'], io, {})).toBe(1);
    expect(stderr).toMatch(/INVALID_ARGUMENT/);
    expect(stderr).toMatch(/id_token/);
  });
});
