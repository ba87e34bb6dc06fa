/**
 * OCTT TestCaseDocument 1.6, §3 "SUT Central System", cases driven by the Central System through
 * `StationApi`: remote start/stop, reset, unlock, configuration, cache, local list version, trigger message.
 */
import type { V16, V16Actions } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCsms, type TestCsms } from '../support/csms.js';
import {
  authorized16,
  booted16,
  charging16,
  MODEL,
  statusNotification16,
  VENDOR,
} from '../support/octt-states.js';
import { addIdToken, at, connect16, type CsmsSent, type Station16 } from '../support/scenario.js';

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms();
});
afterAll(() => csms.close());

const accepted = { idTagInfo: { status: 'Accepted' } };

async function bootedCp(connectors = 1): Promise<Station16> {
  const cp = await connect16(csms);
  expect((await booted16(cp, connectors)).status).toBe('Accepted');
  return cp;
}

async function transaction(cp: Station16, transactionId: number) {
  return csms.database.db
    .selectFrom('transactions')
    .selectAll()
    .where('station_id', '=', cp.id)
    .where('transaction_id', '=', String(transactionId))
    .executeTakeFirstOrThrow();
}

/** Reusable state Charging: a booted Charge Point with a transaction on connector 1. */
async function chargingCp(): Promise<{ cp: Station16; idTag: string; transactionId: number }> {
  const cp = await bootedCp();
  const idTag = await addIdToken(csms, 'R16');
  expect(await authorized16(cp, idTag)).toEqual(accepted);
  const start = await charging16(cp, idTag);
  expect(start.idTagInfo).toEqual({ status: 'Accepted' });
  return { cp, idTag, transactionId: start.transactionId };
}

/** Sends `action` through StationApi; asserts the Charge Point received exactly `request` and answered `response`. */
async function command<A extends CsmsSent<V16Actions>>(
  cp: Station16,
  action: A,
  request: V16Actions[A]['request'],
  response: V16Actions[A]['response'],
): Promise<void> {
  cp.respond(action, response);
  const outcome = await csms.stations.v16(cp.id, action, request);
  expect(cp.requests(action).at(-1)).toEqual(request);
  expect(outcome).toEqual({ status: 'result', payload: response });
}

describe('TC_010_CSMS: Remote Start Charging Session – Cable Plugged in First', () => {
  it('sends RemoteStartTransaction.req after Preparing, then accepts Authorize and StartTransaction', async () => {
    const cp = await bootedCp();
    const idTag = await addIdToken(csms, 'R16');
    expect(await statusNotification16(cp, 1, 'Preparing')).toEqual({});
    await command(cp, 'RemoteStartTransaction', { idTag, connectorId: 1 }, { status: 'Accepted' });
    expect(await authorized16(cp, idTag)).toEqual(accepted);
    const start = await cp.call('StartTransaction', {
      connectorId: 1,
      idTag,
      meterStart: 0,
      timestamp: at(),
    });
    expect(start.idTagInfo).toEqual({ status: 'Accepted' });
    expect(await statusNotification16(cp, 1, 'Charging')).toEqual({});
    expect(await transaction(cp, start.transactionId)).toMatchObject({ state: 'active', id_token: idTag });
  });
});

describe('TC_011_1_CSMS: Remote Start Charging Session – Remote Start First', () => {
  it('sends RemoteStartTransaction.req, then accepts Authorize, Preparing and StartTransaction', async () => {
    const cp = await bootedCp();
    const idTag = await addIdToken(csms, 'R16');
    await command(cp, 'RemoteStartTransaction', { idTag }, { status: 'Accepted' });
    expect(await authorized16(cp, idTag)).toEqual(accepted);
    const start = await charging16(cp, idTag);
    expect(start.idTagInfo).toEqual({ status: 'Accepted' });
    expect(await transaction(cp, start.transactionId)).toMatchObject({ state: 'active', connector_id: 1 });
  });
});

describe('TC_011_2_CSMS: Remote Start Charging Session – Time Out', () => {
  it('handles the connector going back to Available when the cable is not plugged in', async () => {
    const cp = await bootedCp();
    const idTag = await addIdToken(csms, 'R16');
    await command(cp, 'RemoteStartTransaction', { idTag }, { status: 'Accepted' });
    expect(await authorized16(cp, idTag)).toEqual(accepted);
    expect(await statusNotification16(cp, 1, 'Preparing')).toEqual({});
    expect(await statusNotification16(cp, 1, 'Available')).toEqual({});
    const txs = await csms.database.db
      .selectFrom('transactions')
      .select('id')
      .where('station_id', '=', cp.id)
      .execute();
    expect(txs).toEqual([]);
  });
});

describe('TC_012_CSMS: Remote Stop Charging Session', () => {
  it('sends RemoteStopTransaction.req with the transactionId, then accepts the Remote StopTransaction', async () => {
    const { cp, transactionId } = await chargingCp();
    await command(cp, 'RemoteStopTransaction', { transactionId }, { status: 'Accepted' });
    expect(
      await cp.call('StopTransaction', { transactionId, meterStop: 5000, timestamp: at(), reason: 'Remote' }),
    ).toEqual({});
    expect(await statusNotification16(cp, 1, 'Finishing')).toEqual({});
    expect(await statusNotification16(cp, 1, 'Available')).toEqual({});
    expect(await transaction(cp, transactionId)).toMatchObject({
      state: 'ended',
      stop_reason: 'Remote',
      meter_stop: 5000,
    });
  });
});

/** Reset of `type`, then the Charge Point reboots: BootNotification Accepted and every connector Available. */
async function resetAndReboot(type: 'Hard' | 'Soft'): Promise<void> {
  const cp = await bootedCp(2);
  await command(cp, 'Reset', { type }, { status: 'Accepted' });
  const boot = await booted16(cp, 2);
  expect(boot.status).toBe('Accepted');
  const rows = await csms.database.db
    .selectFrom('connectors')
    .select(['connector_id', 'status'])
    .where('station_id', '=', cp.id)
    .orderBy('connector_id')
    .execute();
  expect(rows).toEqual([
    { connector_id: 0, status: 'Available' },
    { connector_id: 1, status: 'Available' },
    { connector_id: 2, status: 'Available' },
  ]);
}

describe('TC_013_CSMS: Hard Reset', () => {
  it('sends Reset.req type Hard and accepts the reboot', async () => {
    await resetAndReboot('Hard');
  });
});

describe('TC_014_CSMS: Soft Reset', () => {
  it('sends Reset.req type Soft and accepts the reboot', async () => {
    await resetAndReboot('Soft');
  });
});

describe('TC_017_1_CSMS: Unlock connector - no charging session running (Not fixed cable)', () => {
  it('sends UnlockConnector.req; the Charge Point answers Unlocked', async () => {
    const cp = await bootedCp();
    await command(cp, 'UnlockConnector', { connectorId: 1 }, { status: 'Unlocked' });
  });
});

describe('TC_017_2_CSMS: Unlock connector - no charging session running (Fixed cable)', () => {
  it('sends UnlockConnector.req; the Charge Point answers NotSupported', async () => {
    const cp = await bootedCp();
    await command(cp, 'UnlockConnector', { connectorId: 1 }, { status: 'NotSupported' });
  });
});

describe('TC_018_1_CSMS: Unlock Connector - With Charging Session (Not fixed cable)', () => {
  it('sends UnlockConnector.req during the session, then accepts the UnlockCommand StopTransaction', async () => {
    const { cp, transactionId } = await chargingCp();
    await command(cp, 'UnlockConnector', { connectorId: 1 }, { status: 'Unlocked' });
    expect(await statusNotification16(cp, 1, 'Finishing')).toEqual({});
    expect(
      await cp.call('StopTransaction', {
        transactionId,
        meterStop: 3000,
        timestamp: at(),
        reason: 'UnlockCommand',
      }),
    ).toEqual({});
    expect(await statusNotification16(cp, 1, 'Available')).toEqual({});
    expect(await transaction(cp, transactionId)).toMatchObject({
      state: 'ended',
      stop_reason: 'UnlockCommand',
    });
  });
});

const CORE_KEYS: V16.GetConfigurationResponse['configurationKey'] = [
  { key: 'AuthorizeRemoteTxRequests', readonly: true, value: 'false' },
  { key: 'HeartbeatInterval', readonly: false, value: '300' },
  { key: 'NumberOfConnectors', readonly: true, value: '1' },
  { key: 'SupportedFeatureProfiles', readonly: true, value: 'Core,RemoteTrigger' },
];

describe('TC_019_1_CSMS: Retrieve all configuration keys', () => {
  it('sends GetConfiguration.req without keys and returns every key', async () => {
    const cp = await bootedCp();
    await command(cp, 'GetConfiguration', {}, { configurationKey: CORE_KEYS });
  });
});

describe('TC_019_2_CSMS: Retrieve specific configuration key', () => {
  it('sends GetConfiguration.req for SupportedFeatureProfiles', async () => {
    const cp = await bootedCp();
    await command(
      cp,
      'GetConfiguration',
      { key: ['SupportedFeatureProfiles'] },
      {
        configurationKey: [{ key: 'SupportedFeatureProfiles', readonly: true, value: 'Core,RemoteTrigger' }],
        unknownKey: [],
      },
    );
  });
});

describe('TC_021_CSMS: Change/set Configuration', () => {
  it('sends ChangeConfiguration.req MeterValueSampleInterval = 60', async () => {
    const cp = await bootedCp();
    await command(
      cp,
      'ChangeConfiguration',
      { key: 'MeterValueSampleInterval', value: '60' },
      { status: 'Accepted' },
    );
  });
});

describe('TC_026_CSMS: Remote Start Charging Session – Rejected', () => {
  it('handles a Rejected RemoteStartTransaction.conf', async () => {
    const cp = await bootedCp();
    await command(
      cp,
      'RemoteStartTransaction',
      { idTag: await addIdToken(csms, 'R16'), connectorId: 1 },
      { status: 'Rejected' },
    );
    expect(await cp.call('Heartbeat', {})).toEqual({ currentTime: expect.any(String) as string });
  });
});

describe('TC_028_CSMS: Remote Stop Transaction – Rejected', () => {
  it('handles a Rejected RemoteStopTransaction.conf for an unknown transactionId', async () => {
    const { cp, transactionId } = await chargingCp();
    await command(
      cp,
      'RemoteStopTransaction',
      { transactionId: transactionId + 1_000_000 },
      { status: 'Rejected' },
    );
    // The running transaction is untouched.
    expect(await transaction(cp, transactionId)).toMatchObject({ state: 'active', stop_reason: null });
  });
});

describe('TC_030_CSMS: Unlock Connector – Unlock Failure', () => {
  it('handles an UnlockFailed answer', async () => {
    const cp = await bootedCp();
    await command(cp, 'UnlockConnector', { connectorId: 1 }, { status: 'UnlockFailed' });
  });
});

describe('TC_031_CSMS: Unlock Connector – Unknown Connector', () => {
  it('handles NotSupported for a connector the Charge Point does not have', async () => {
    const cp = await bootedCp();
    await command(cp, 'UnlockConnector', { connectorId: 2 }, { status: 'NotSupported' });
  });
});

describe('TC_040_1_CSMS: Configuration keys', () => {
  it('handles NotSupported for an unknown configuration key', async () => {
    const cp = await bootedCp();
    await command(
      cp,
      'ChangeConfiguration',
      { key: 'OcttUnknownKey', value: '1' },
      { status: 'NotSupported' },
    );
  });
});

describe('TC_040_2_CSMS: Configuration keys', () => {
  it('sends MeterValueSampleInterval = -1 and handles Rejected', async () => {
    const cp = await bootedCp();
    await command(
      cp,
      'ChangeConfiguration',
      { key: 'MeterValueSampleInterval', value: '-1' },
      { status: 'Rejected' },
    );
  });
});

describe('TC_042_1_CSMS: Get Local List Version (not supported)', () => {
  it('sends GetLocalListVersion.req and reads listVersion -1', async () => {
    const cp = await bootedCp();
    await command(cp, 'GetLocalListVersion', {}, { listVersion: -1 });
  });
});

describe('TC_042_2_CSMS: Get Local List Version (empty)', () => {
  it('sends GetLocalListVersion.req and reads listVersion 0', async () => {
    const cp = await bootedCp();
    await command(cp, 'GetLocalListVersion', {}, { listVersion: 0 });
  });
});

describe('TC_043_1_CSMS: Send Local Authorization List - NotSupported', () => {
  it('sends SendLocalList.req updateType Full and handles NotSupported', async () => {
    const cp = await bootedCp();
    await command(
      cp,
      'SendLocalList',
      { listVersion: 1, updateType: 'Full', localAuthorizationList: [] },
      { status: 'NotSupported' },
    );
  });
});

describe('TC_043_3_CSMS: Send Local Authorization List - Failed', () => {
  it('sends SendLocalList.req updateType Full and handles Failed', async () => {
    const cp = await bootedCp();
    await command(
      cp,
      'SendLocalList',
      { listVersion: 1, updateType: 'Full', localAuthorizationList: [] },
      { status: 'Failed' },
    );
  });
});

describe('TC_054_CSMS: Trigger Message', () => {
  it('triggers MeterValues, Heartbeat, StatusNotification, DiagnosticsStatusNotification and FirmwareStatusNotification', async () => {
    const cp = await bootedCp();
    // Step 1-4
    await command(
      cp,
      'TriggerMessage',
      { requestedMessage: 'MeterValues', connectorId: 1 },
      { status: 'Accepted' },
    );
    const sampled = [
      { value: '1234', context: 'Trigger' as const, measurand: 'Energy.Active.Import.Register' as const },
    ];
    expect(
      await cp.call('MeterValues', {
        connectorId: 1,
        meterValue: [{ timestamp: at(), sampledValue: sampled }],
      }),
    ).toEqual({});
    // Step 5-8
    await command(cp, 'TriggerMessage', { requestedMessage: 'Heartbeat' }, { status: 'Accepted' });
    expect(await cp.call('Heartbeat', {})).toEqual({ currentTime: expect.any(String) as string });
    // Step 9-12
    await command(
      cp,
      'TriggerMessage',
      { requestedMessage: 'StatusNotification', connectorId: 1 },
      { status: 'Accepted' },
    );
    expect(await statusNotification16(cp, 1, 'Available')).toEqual({});
    // Step 13-16
    await command(
      cp,
      'TriggerMessage',
      { requestedMessage: 'DiagnosticsStatusNotification' },
      { status: 'Accepted' },
    );
    expect(await cp.call('DiagnosticsStatusNotification', { status: 'Idle' })).toEqual({});
    // Step 17-20
    await command(
      cp,
      'TriggerMessage',
      { requestedMessage: 'FirmwareStatusNotification' },
      { status: 'Accepted' },
    );
    expect(await cp.call('FirmwareStatusNotification', { status: 'Idle' })).toEqual({});

    const meter = await csms.database.db
      .selectFrom('meter_values')
      .select(['connector_id', 'sampled_values', 'source'])
      .where('station_id', '=', cp.id)
      .execute();
    expect(meter).toEqual([{ connector_id: 1, sampled_values: sampled, source: 'MeterValues' }]);
    const notes = await csms.database.db
      .selectFrom('station_notifications')
      .select(['action', 'payload'])
      .where('station_id', '=', cp.id)
      .orderBy('id')
      .execute();
    expect(notes).toEqual([
      { action: 'DiagnosticsStatusNotification', payload: { status: 'Idle' } },
      { action: 'FirmwareStatusNotification', payload: { status: 'Idle' } },
    ]);
  });
});

describe('TC_055_CSMS: Trigger Message - Rejected', () => {
  it('triggers MeterValues for a connector beyond NumberOfConnectors and handles Rejected', async () => {
    const cp = await bootedCp(1);
    await command(
      cp,
      'TriggerMessage',
      { requestedMessage: 'MeterValues', connectorId: 2 },
      { status: 'Rejected' },
    );
  });
});

describe('TC_061_CSMS: Clear Authorization Data in Authorization Cache', () => {
  it('sends ClearCache.req; the Charge Point answers Accepted', async () => {
    const cp = await bootedCp();
    await command(cp, 'ClearCache', {}, { status: 'Accepted' });
  });
});

describe('1.6 Pending registration and remote start/stop', () => {
  it('refuses RemoteStartTransaction to a Pending Charge Point without sending it (OCPP 1.6 §4.2)', async () => {
    const cp = await connect16(csms);
    expect(await csms.setBootPolicy(cp.id, 'Pending')).toBe(true);
    const boot = await cp.call('BootNotification', { chargePointVendor: VENDOR, chargePointModel: MODEL });
    expect(boot.status).toBe('Pending');
    const outcome = await csms.stations.v16(cp.id, 'RemoteStartTransaction', { idTag: 'ANY' });
    expect(outcome).toMatchObject({ status: 'refused', reason: 'station-pending' });
    expect(cp.received).toEqual([]);
  });
});
