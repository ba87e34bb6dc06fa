/**
 * CSMS-initiated CALLs through the real CSMS's StationApi: the CSMS validates every answer against the OCPP
 * schema, so a `result` outcome means the simulator's payload was schema-valid.
 */
import { upsertIdToken } from '@csms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../../../test/support/csms.js';
import { Simulator, verifyLedger, type LedgerTransaction, type SimulatedStation } from './index.js';

let csms: TestCsms;
let simulator: Simulator;
let v16: SimulatedStation;
let v201: SimulatedStation;

beforeAll(async () => {
  csms = await startTestCsms();
  for (const idToken of ['REMOTE16', 'REMOTE201']) {
    await upsertIdToken(csms.database.db, { idToken, status: 'Accepted' });
  }
  simulator = new Simulator({
    url: csms.endpoint,
    stations: 2,
    versionMix: 0.5,
    idPrefix: 'CALLS',
    bootStorm: true,
    connectors: 2,
    durationMs: 60_000,
    callTimeoutMs: 5_000,
    reconnectMinMs: 50,
    // Only remote-started transactions here; they run until stopped remotely.
    transaction: { auto: false, meterValueIntervalMs: 100, meterValuesPerTransaction: 10_000 },
  });
  await simulator.start();
  expect(await simulator.waitForBoot(10_000)).toBe(2);
  const [a, b] = simulator.stations;
  if (a === undefined || b === undefined) throw new Error('two stations expected');
  [v16, v201] = a.version === 'ocpp1.6' ? [a, b] : [b, a];
});
afterAll(async () => {
  await simulator.stop();
  await csms.close();
});

async function call(station: SimulatedStation, action: string, payload: Record<string, unknown>) {
  return csms.stations.call(station.identity, action, payload, { timeoutMs: 5_000 });
}

async function result(station: SimulatedStation, action: string, payload: Record<string, unknown>) {
  const outcome = await call(station, action, payload);
  expect(outcome, `${station.version} ${action}`).toMatchObject({ status: 'result' });
  return (outcome as { payload: Record<string, unknown> }).payload;
}

/** Polls `probe` until it returns a value (not undefined), for at most 10 s. */
async function until<T>(probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached within 10 s');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function ledgerOf(station: SimulatedStation, predicate: (tx: LedgerTransaction) => boolean) {
  return () => station.ledger().find(predicate);
}

describe('OCPP 1.6 CSMS-initiated calls', () => {
  it('GetConfiguration returns the fixed key set, unknown keys separately; ChangeConfiguration applies', async () => {
    const all = await result(v16, 'GetConfiguration', {});
    const keys = (all.configurationKey as { key: string; readonly: boolean; value: string }[]).map(
      (k) => k.key,
    );
    expect(keys).toContain('HeartbeatInterval');
    expect(keys).toContain('NumberOfConnectors');
    const some = await result(v16, 'GetConfiguration', { key: ['NumberOfConnectors', 'NoSuchKey'] });
    expect(some).toEqual({
      configurationKey: [{ key: 'NumberOfConnectors', readonly: true, value: '2' }],
      unknownKey: ['NoSuchKey'],
    });
    expect(await result(v16, 'ChangeConfiguration', { key: 'HeartbeatInterval', value: '7' })).toEqual({
      status: 'Accepted',
    });
    expect(await result(v16, 'GetConfiguration', { key: ['HeartbeatInterval'] })).toMatchObject({
      configurationKey: [{ key: 'HeartbeatInterval', value: '7' }],
    });
    expect(await result(v16, 'ChangeConfiguration', { key: 'NumberOfConnectors', value: '3' })).toEqual({
      status: 'Rejected',
    });
    expect(await result(v16, 'ChangeConfiguration', { key: 'Nope', value: '1' })).toEqual({
      status: 'NotSupported',
    });
  });

  it('RemoteStartTransaction starts a real transaction, RemoteStopTransaction stops it', async () => {
    expect(await result(v16, 'RemoteStartTransaction', { idTag: 'REMOTE16', connectorId: 2 })).toEqual({
      status: 'Accepted',
    });
    const started = await until(ledgerOf(v16, (tx) => tx.idToken === 'REMOTE16' && tx.startAcknowledged));
    expect(started.connectorId).toBe(2);
    // A second remote start on the busy connector is refused.
    expect(await result(v16, 'RemoteStartTransaction', { idTag: 'REMOTE16', connectorId: 2 })).toEqual({
      status: 'Rejected',
    });
    await until(ledgerOf(v16, (tx) => tx.idToken === 'REMOTE16' && tx.meterValues.length > 0));
    expect(
      await result(v16, 'RemoteStopTransaction', { transactionId: Number(started.transactionId) }),
    ).toEqual({ status: 'Accepted' });
    const stopped = await until(ledgerOf(v16, (tx) => tx.idToken === 'REMOTE16' && tx.stopAcknowledged));
    expect(stopped.stopReason).toBe('Remote');
    const row = await csms.database.db
      .selectFrom('transactions')
      .selectAll()
      .where('station_id', '=', v16.identity)
      .where('transaction_id', '=', String(started.transactionId))
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      state: 'ended',
      stop_reason: 'Remote',
      connector_id: 2,
      id_token: 'REMOTE16',
    });
    expect(await result(v16, 'RemoteStopTransaction', { transactionId: 999_999 })).toEqual({
      status: 'Rejected',
    });
    expect((await verifyLedger(csms.database.db, v16.ledger(), { exact: true })).problems).toEqual([]);
    expect(simulator.stats().remoteStart.count).toBeGreaterThanOrEqual(1);
  });

  it('answers the other Core calls and NotImplemented for the rest', async () => {
    expect(await result(v16, 'ClearCache', {})).toEqual({ status: 'Accepted' });
    expect(await result(v16, 'DataTransfer', { vendorId: 'com.example' })).toEqual({
      status: 'UnknownVendorId',
    });
    expect(await result(v16, 'UnlockConnector', { connectorId: 1 })).toEqual({ status: 'Unlocked' });
    expect(await result(v16, 'TriggerMessage', { requestedMessage: 'Heartbeat' })).toEqual({
      status: 'Accepted',
    });
    expect(
      await result(v16, 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 }),
    ).toEqual({
      status: 'Accepted',
    });
    expect(await result(v16, 'TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 1 })).toEqual({
      status: 'Accepted',
    });
    expect(await result(v16, 'ChangeAvailability', { connectorId: 1, type: 'Inoperative' })).toEqual({
      status: 'Accepted',
    });
    const connector = (status: string) => () =>
      csms.database.db
        .selectFrom('connectors')
        .select('status')
        .where('station_id', '=', v16.identity)
        .where('connector_id', '=', 1)
        .where('status', '=', status)
        .executeTakeFirst();
    await until(connector('Unavailable'));
    // An inoperative connector takes no remote start.
    expect(await result(v16, 'RemoteStartTransaction', { idTag: 'REMOTE16', connectorId: 1 })).toEqual({
      status: 'Rejected',
    });
    expect(await result(v16, 'ChangeAvailability', { connectorId: 0, type: 'Operative' })).toEqual({
      status: 'Accepted',
    });
    await until(connector('Available'));
    expect(await call(v16, 'GetLocalListVersion', {})).toMatchObject({
      status: 'call-error',
      code: 'NotImplemented',
    });
    const heartbeats = simulator
      .stats()
      .actions.find((a) => a.action === 'Heartbeat' && a.version === 'ocpp1.6');
    expect(heartbeats?.count).toBeGreaterThanOrEqual(1);
  });
});

describe('OCPP 2.0.1 CSMS-initiated calls', () => {
  it('GetVariables / SetVariables on the fixed device model', async () => {
    const got = await result(v201, 'GetVariables', {
      getVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'MessageAttempts', instance: 'TransactionEvent' },
        },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NoSuchVariable' } },
        { component: { name: 'NoSuchCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'HeartbeatInterval' },
          attributeType: 'Target',
        },
      ],
    });
    const statuses = (got.getVariableResult as { attributeStatus: string; attributeValue?: string }[]).map(
      (r) => r.attributeStatus,
    );
    expect(statuses).toEqual([
      'Accepted',
      'Accepted',
      'UnknownVariable',
      'UnknownComponent',
      'NotSupportedAttributeType',
    ]);
    const set = await result(v201, 'SetVariables', {
      setVariableData: [
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'HeartbeatInterval' },
          attributeValue: '9',
        },
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'MessageTimeout', instance: 'Default' },
          attributeValue: '1',
        },
        {
          component: { name: 'OCPPCommCtrlr' },
          variable: { name: 'HeartbeatInterval' },
          attributeValue: 'soon',
        },
      ],
    });
    expect((set.setVariableResult as { attributeStatus: string }[]).map((r) => r.attributeStatus)).toEqual([
      'Accepted',
      'Rejected',
      'Rejected',
    ]);
    const again = await result(v201, 'GetVariables', {
      getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
    });
    expect(again.getVariableResult).toMatchObject([{ attributeStatus: 'Accepted', attributeValue: '9' }]);
  });

  it('RequestStartTransaction starts a transaction carrying remoteStartId; RequestStopTransaction stops it', async () => {
    expect(
      await result(v201, 'RequestStartTransaction', {
        idToken: { idToken: 'REMOTE201', type: 'ISO14443' },
        remoteStartId: 4711,
        evseId: 2,
      }),
    ).toEqual({ status: 'Accepted' });
    const started = await until(
      ledgerOf(v201, (tx) => tx.remoteStartId === 4711 && tx.meterValues.length > 1),
    );
    expect(started).toMatchObject({ connectorId: 2, idToken: 'REMOTE201', startAcknowledged: true });
    const transactionId = String(started.transactionId);
    expect(await result(v201, 'GetTransactionStatus', { transactionId })).toMatchObject({
      ongoingIndicator: true,
    });
    expect(await result(v201, 'UnlockConnector', { evseId: 2, connectorId: 1 })).toEqual({
      status: 'OngoingAuthorizedTransaction',
    });
    expect(
      await result(v201, 'TriggerMessage', { requestedMessage: 'TransactionEvent', evse: { id: 2 } }),
    ).toEqual({
      status: 'Accepted',
    });
    await until(
      ledgerOf(
        v201,
        (tx) => tx.remoteStartId === 4711 && tx.meterValues.some((m) => m.context === 'Trigger'),
      ),
    );
    expect(await result(v201, 'RequestStopTransaction', { transactionId })).toEqual({ status: 'Accepted' });
    await until(ledgerOf(v201, (tx) => tx.remoteStartId === 4711 && tx.stopAcknowledged));
    const row = await csms.database.db
      .selectFrom('transactions')
      .selectAll()
      .where('station_id', '=', v201.identity)
      .where('transaction_id', '=', transactionId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ remote_start_id: 4711, state: 'ended', stop_reason: 'Remote', evse_id: 2 });
    expect(await result(v201, 'GetTransactionStatus', { transactionId })).toEqual({
      ongoingIndicator: false,
      messagesInQueue: false,
    });
    expect((await verifyLedger(csms.database.db, v201.ledger(), { exact: true })).problems).toEqual([]);
    expect(simulator.stats().remoteStart.count).toBeGreaterThanOrEqual(2);
  });

  it('GetBaseReport is followed by a NotifyReport; other calls are answered', async () => {
    expect(await result(v201, 'GetBaseReport', { requestId: 77, reportBase: 'FullInventory' })).toEqual({
      status: 'Accepted',
    });
    const report = await until(() =>
      csms.database.db
        .selectFrom('device_reports')
        .select(['request_id', 'tbc'])
        .where('station_id', '=', v201.identity)
        .where('request_id', '=', 77)
        .executeTakeFirst(),
    );
    expect(report.tbc).toBe(false);
    expect(await result(v201, 'ClearCache', {})).toEqual({ status: 'Accepted' });
    expect(await result(v201, 'DataTransfer', { vendorId: 'com.example' })).toEqual({
      status: 'UnknownVendorId',
    });
    expect(await result(v201, 'UnlockConnector', { evseId: 1, connectorId: 1 })).toEqual({
      status: 'Unlocked',
    });
    expect(await result(v201, 'UnlockConnector', { evseId: 9, connectorId: 1 })).toEqual({
      status: 'UnknownConnector',
    });
    expect(
      await result(v201, 'ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 1 } }),
    ).toEqual({
      status: 'Accepted',
    });
    expect(await result(v201, 'ChangeAvailability', { operationalStatus: 'Operative' })).toEqual({
      status: 'Accepted',
    });
    // F06.FR.17: an Accepted station rejects a triggered BootNotification.
    expect(await result(v201, 'TriggerMessage', { requestedMessage: 'BootNotification' })).toEqual({
      status: 'Rejected',
    });
    expect(await result(v201, 'TriggerMessage', { requestedMessage: 'MeterValues' })).toEqual({
      status: 'Accepted',
    });
    expect(await call(v201, 'GetLocalListVersion', {})).toMatchObject({
      status: 'call-error',
      code: 'NotImplemented',
    });
  });

  it('Reset makes the station boot again (a reconnect without Reset does not)', async () => {
    const boots = () =>
      simulator.stats().actions.find((a) => a.action === 'BootNotification' && a.version === 'ocpp2.0.1')
        ?.count ?? 0;
    expect(boots()).toBe(1);
    expect(await result(v201, 'Reset', { type: 'Immediate' })).toEqual({ status: 'Accepted' });
    await until(() => (boots() === 2 && v201.accepted ? true : undefined));
    const station = await csms.database.db
      .selectFrom('stations')
      .select('registration_status')
      .where('id', '=', v201.identity)
      .executeTakeFirstOrThrow();
    expect(station.registration_status).toBe('Accepted');
    // The CSMS can talk to it again on its new connection.
    await until(async () => ((await call(v201, 'ClearCache', {})).status === 'result' ? true : undefined));
    expect(simulator.stats().csmsCalls['ocpp2.0.1 Reset']).toBe(1);
  });
});
