/**
 * OCTT TestCaseDocument 1.6, §3 "SUT Central System", Core profile cases driven by the Charge Point: boot,
 * charging sessions, authorization, lock failure, power failure, offline transactions and DataTransfer.
 */
import type { V16 } from '@csms/ocpp';
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
import { addIdToken, at, connect16, type Station16 } from '../support/scenario.js';

const HEARTBEAT = 240;

let csms: TestCsms;

beforeAll(async () => {
  csms = await startTestCsms({ env: { CSMS_HEARTBEAT_INTERVAL: String(HEARTBEAT) } });
});
afterAll(() => csms.close());

const accepted = { idTagInfo: { status: 'Accepted' } };

async function bootedCp(connectors = 1): Promise<Station16> {
  const cp = await connect16(csms);
  expect((await booted16(cp, connectors)).status).toBe('Accepted');
  return cp;
}

async function validTag(): Promise<string> {
  return addIdToken(csms, 'V16');
}

async function transaction(cp: Station16, transactionId: number) {
  return csms.database.db
    .selectFrom('transactions')
    .selectAll()
    .where('station_id', '=', cp.id)
    .where('transaction_id', '=', String(transactionId))
    .executeTakeFirstOrThrow();
}

async function connectors(cp: Station16): Promise<string[]> {
  const rows = await csms.database.db
    .selectFrom('connectors')
    .select(['connector_id', 'status', 'error_code'])
    .where('station_id', '=', cp.id)
    .orderBy('connector_id')
    .execute();
  return rows.map((r) => `${r.connector_id}:${r.status}:${r.error_code ?? ''}`);
}

/** StartTransaction.conf: a positive int32 transactionId and the idTagInfo. */
function expectStarted(start: V16.StartTransactionResponse, status = 'Accepted'): void {
  expect(start.idTagInfo.status).toBe(status);
  expect(Number.isInteger(start.transactionId)).toBe(true);
  expect(start.transactionId).toBeGreaterThan(0);
  expect(start.transactionId).toBeLessThanOrEqual(2_147_483_647);
}

describe('TC_001_CSMS: Cold Boot Charge Point', () => {
  it('accepts the BootNotification with the heartbeat interval, the StatusNotifications and a Heartbeat', async () => {
    const cp = await connect16(csms);
    const boot = await cp.call('BootNotification', {
      chargePointVendor: VENDOR,
      chargePointModel: MODEL,
      chargePointSerialNumber: 'SN-001',
      firmwareVersion: '1.2.3',
    });
    expect(boot.status).toBe('Accepted');
    expect(boot.interval).toBe(HEARTBEAT);
    expect(Math.abs(Date.parse(boot.currentTime) - Date.now())).toBeLessThan(60_000);
    for (const connectorId of [0, 1, 2]) {
      expect(await statusNotification16(cp, connectorId, 'Available')).toEqual({});
    }
    const { currentTime } = await cp.call('Heartbeat', {});
    expect(Math.abs(Date.parse(currentTime) - Date.now())).toBeLessThan(60_000);

    const row = await csms.database.db
      .selectFrom('stations')
      .selectAll()
      .where('id', '=', cp.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      registration_status: 'Accepted',
      ocpp_version: 'ocpp1.6',
      vendor: VENDOR,
      model: MODEL,
      serial_number: 'SN-001',
      firmware_version: '1.2.3',
    });
    expect(row.last_heartbeat_at?.toISOString()).toBe(currentTime);
    expect(await connectors(cp)).toEqual([
      '0:Available:NoError',
      '1:Available:NoError',
      '2:Available:NoError',
    ]);
  });
});

describe('TC_003_CSMS: Regular Charging Session - Plugin First', () => {
  it('accepts the Authorize and the StartTransaction after Preparing, and records the transaction', async () => {
    const cp = await bootedCp();
    const idTag = await validTag();
    expect(await statusNotification16(cp, 1, 'Preparing')).toEqual({});
    expect(await authorized16(cp, idTag)).toEqual(accepted);
    const timestamp = at();
    const start = await cp.call('StartTransaction', { connectorId: 1, idTag, meterStart: 2000, timestamp });
    expectStarted(start);
    expect(await statusNotification16(cp, 1, 'Charging')).toEqual({});
    expect(await transaction(cp, start.transactionId)).toMatchObject({
      state: 'active',
      ocpp_version: 'ocpp1.6',
      connector_id: 1,
      id_token: idTag,
      meter_start: 2000,
      started_at: new Date(timestamp),
    });
    expect(await connectors(cp)).toEqual(['0:Available:NoError', '1:Charging:NoError']);
  });
});

describe('TC_004_1_CSMS: Regular Charging Session – Identification First', () => {
  it('runs Authorized, then Charging', async () => {
    const cp = await bootedCp();
    const idTag = await validTag();
    expect(await authorized16(cp, idTag)).toEqual(accepted);
    const start = await charging16(cp, idTag);
    expectStarted(start);
    expect(await transaction(cp, start.transactionId)).toMatchObject({ state: 'active', id_token: idTag });
  });
});

describe('TC_004_2_CSMS: Regular Charging Session – Identification First - ConnectionTimeOut', () => {
  it('answers Preparing and then Available after the connection timeout', async () => {
    const cp = await bootedCp();
    expect(await authorized16(cp, await validTag())).toEqual(accepted);
    expect(await statusNotification16(cp, 1, 'Preparing')).toEqual({});
    expect(await statusNotification16(cp, 1, 'Available')).toEqual({});
    expect(await connectors(cp)).toEqual(['0:Available:NoError', '1:Available:NoError']);
  });
});

describe('TC_005_1_CSMS: EV Side Disconnected - StopTransactionOnEVSideDisconnect = true - UnlockConnectorOnEVSideDisconnect = true', () => {
  it('ends the transaction with reason EVDisconnected and answers every StatusNotification', async () => {
    const cp = await bootedCp();
    const idTag = await validTag();
    await authorized16(cp, idTag);
    const start = await charging16(cp, idTag, 1, 500);
    expect(await statusNotification16(cp, 1, 'SuspendedEV')).toEqual({});
    const timestamp = at();
    expect(
      await cp.call('StopTransaction', {
        transactionId: start.transactionId,
        meterStop: 3500,
        timestamp,
        reason: 'EVDisconnected',
      }),
    ).toEqual({});
    expect(await statusNotification16(cp, 1, 'Finishing')).toEqual({});
    expect(await statusNotification16(cp, 1, 'Available')).toEqual({});
    expect(await transaction(cp, start.transactionId)).toMatchObject({
      state: 'ended',
      stop_reason: 'EVDisconnected',
      meter_start: 500,
      meter_stop: 3500,
      ended_at: new Date(timestamp),
    });
  });
});

describe('TC_007_CSMS: Regular Start Charging Session – Cached Id', () => {
  it('accepts a StartTransaction for a cached idTag without a prior Authorize', async () => {
    const cp = await bootedCp();
    const idTag = await validTag();
    expect(await statusNotification16(cp, 1, 'Preparing')).toEqual({});
    const start = await cp.call('StartTransaction', {
      connectorId: 1,
      idTag,
      meterStart: 0,
      timestamp: at(),
    });
    expectStarted(start);
    expect(await statusNotification16(cp, 1, 'Charging')).toEqual({});
    expect(await transaction(cp, start.transactionId)).toMatchObject({ state: 'active', id_token: idTag });
  });
});

describe('TC_023_1_CSMS: Start Charging Session – Authorize invalid', () => {
  it('answers Invalid for an unknown idTag', async () => {
    const cp = await bootedCp();
    expect(await authorized16(cp, 'V16-UNKNOWN-TAG')).toEqual({ idTagInfo: { status: 'Invalid' } });
  });
});

describe('TC_023_2_CSMS: Start Charging Session – Authorize expired', () => {
  it('answers Expired for an idTag stored as Expired', async () => {
    const cp = await bootedCp();
    const idTag = await addIdToken(csms, 'V16-EXP', { status: 'Expired' });
    expect(await authorized16(cp, idTag)).toEqual({ idTagInfo: { status: 'Expired' } });
  });

  it('answers Expired for an Accepted idTag whose expiry date has passed', async () => {
    const cp = await bootedCp();
    const idTag = await addIdToken(csms, 'V16-EXPD', { expiresAt: new Date('2021-01-01T00:00:00Z') });
    expect(await authorized16(cp, idTag)).toEqual({
      idTagInfo: { status: 'Expired', expiryDate: '2021-01-01T00:00:00.000Z' },
    });
  });
});

describe('TC_023_3_CSMS: Start Charging Session – Authorize blocked', () => {
  it('answers Blocked for a blocked idTag', async () => {
    const cp = await bootedCp();
    const idTag = await addIdToken(csms, 'V16-BLK', { status: 'Blocked' });
    expect(await authorized16(cp, idTag)).toEqual({ idTagInfo: { status: 'Blocked' } });
  });
});

describe('TC_024_CSMS: Start Charging Session Lock Failure', () => {
  it('answers and records Faulted with errorCode ConnectorLockFailure', async () => {
    const cp = await bootedCp();
    expect(await authorized16(cp, await validTag())).toEqual(accepted);
    expect(await statusNotification16(cp, 1, 'Preparing')).toEqual({});
    expect(await statusNotification16(cp, 1, 'Faulted', 'ConnectorLockFailure')).toEqual({});
    expect(await connectors(cp)).toEqual(['0:Available:NoError', '1:Faulted:ConnectorLockFailure']);
  });
});

describe('TC_032_1_CSMS: Power failure boot charging point-configured to stop transaction(s)', () => {
  it('accepts the reboot, the StatusNotifications and the StopTransaction with reason PowerLoss', async () => {
    const cp = await bootedCp(2);
    const idTag = await validTag();
    await authorized16(cp, idTag);
    const start = await charging16(cp, idTag, 1, 100);
    // Power cycle: the Charge Point boots again.
    expect(
      (await cp.call('BootNotification', { chargePointVendor: VENDOR, chargePointModel: MODEL })).status,
    ).toBe('Accepted');
    expect(await statusNotification16(cp, 0, 'Available')).toEqual({});
    expect(await statusNotification16(cp, 1, 'Finishing')).toEqual({});
    expect(await statusNotification16(cp, 2, 'Available')).toEqual({});
    expect(
      await cp.call('StopTransaction', {
        transactionId: start.transactionId,
        meterStop: 900,
        timestamp: at(),
        reason: 'PowerLoss',
        idTag,
      }),
    ).toEqual(accepted);
    expect(await transaction(cp, start.transactionId)).toMatchObject({
      state: 'ended',
      stop_reason: 'PowerLoss',
      meter_stop: 900,
    });
    expect(await connectors(cp)).toEqual([
      '0:Available:NoError',
      '1:Finishing:NoError',
      '2:Available:NoError',
    ]);
  });
});

describe('TC_037_1_CSMS: Offline Start Transaction - Valid IdTag', () => {
  it('accepts a StartTransaction queued while offline, with its original timestamp', async () => {
    const cp = await bootedCp();
    const idTag = await validTag();
    const startedOffline = at(-10 * 60_000);
    const start = await cp.call('StartTransaction', {
      connectorId: 1,
      idTag,
      meterStart: 42,
      timestamp: startedOffline,
    });
    expectStarted(start);
    expect(await statusNotification16(cp, 1, 'Charging')).toEqual({});
    expect(await transaction(cp, start.transactionId)).toMatchObject({
      state: 'active',
      started_at: new Date(startedOffline),
      meter_start: 42,
    });
  });
});

describe('TC_037_3_CSMS: Offline Start Transaction - Invalid IdTag - StopTransactionOnInvalidId = true', () => {
  it('answers Invalid with a transactionId, then accepts the DeAuthorized StopTransaction', async () => {
    const cp = await bootedCp();
    const start = await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: 'V16-OFFLINE-BAD',
      meterStart: 10,
      timestamp: at(-5 * 60_000),
    });
    expectStarted(start, 'Invalid');
    expect(await statusNotification16(cp, 1, 'Charging')).toEqual({});
    expect(
      await cp.call('StopTransaction', {
        transactionId: start.transactionId,
        meterStop: 15,
        timestamp: at(),
        reason: 'DeAuthorized',
      }),
    ).toEqual({});
    expect(await statusNotification16(cp, 1, 'Finishing')).toEqual({});
    expect(await transaction(cp, start.transactionId)).toMatchObject({
      state: 'ended',
      stop_reason: 'DeAuthorized',
      meter_stop: 15,
    });
  });
});

describe('TC_039_CSMS: Offline Transaction', () => {
  it('accepts a queued StartTransaction and its queued StopTransaction with reason Local', async () => {
    const cp = await bootedCp();
    const idTag = await validTag();
    const start = await cp.call('StartTransaction', {
      connectorId: 1,
      idTag,
      meterStart: 1000,
      timestamp: at(-30 * 60_000),
    });
    expectStarted(start);
    const stoppedAt = at(-10 * 60_000);
    const meterValue: V16.StopTransactionRequest['transactionData'] = [
      { timestamp: stoppedAt, sampledValue: [{ value: '1900', context: 'Transaction.End' }] },
    ];
    expect(
      await cp.call('StopTransaction', {
        transactionId: start.transactionId,
        idTag,
        meterStop: 1900,
        timestamp: stoppedAt,
        reason: 'Local',
        transactionData: meterValue,
      }),
    ).toEqual(accepted);
    const row = await transaction(cp, start.transactionId);
    expect(row).toMatchObject({
      state: 'ended',
      stop_reason: 'Local',
      meter_stop: 1900,
      ended_at: new Date(stoppedAt),
    });
    const values = await csms.database.db
      .selectFrom('meter_values')
      .select(['source', 'sampled_values'])
      .where('transaction_ref', '=', row.id)
      .execute();
    expect(values).toEqual([{ source: 'StopTransaction', sampled_values: meterValue[0]?.sampledValue }]);
  });
});

describe('TC_064_CSMS: Data Transfer to a Central System', () => {
  it('does not accept a DataTransfer for a vendorId it does not support', async () => {
    const cp = await bootedCp();
    expect(
      await cp.call('DataTransfer', { vendorId: 'org.octt.unknown', messageId: 'Test', data: 'x' }),
    ).toEqual({
      status: 'UnknownVendorId',
    });
  });
});

describe('StartTransaction / StopTransaction retry after a lost CALLRESULT (OCPP 1.6 §3.7.1)', () => {
  it('answers a resent StartTransaction with the same transactionId and a resent StopTransaction again', async () => {
    const cp = await bootedCp();
    const idTag = await validTag();
    const start = { connectorId: 1, idTag, meterStart: 7, timestamp: at() };
    const first = await cp.call('StartTransaction', start);
    const again = await cp.call('StartTransaction', start);
    expect(again).toEqual(first);
    const stop = {
      transactionId: first.transactionId,
      meterStop: 70,
      timestamp: at(),
      reason: 'Local' as const,
    };
    expect(await cp.call('StopTransaction', stop)).toEqual({});
    expect(await cp.call('StopTransaction', stop)).toEqual({});
    const rows = await csms.database.db
      .selectFrom('transactions')
      .select(['transaction_id', 'state', 'meter_stop'])
      .where('station_id', '=', cp.id)
      .execute();
    expect(rows).toEqual([{ transaction_id: String(first.transactionId), state: 'ended', meter_stop: 70 }]);
  });
});
