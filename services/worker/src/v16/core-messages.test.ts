import { Subjects } from '@csms/bus';
import { upsertIdToken, upsertStation } from '@csms/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type SimulatedStation, type WorkerHarness } from '../testing/worker-harness.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const BOOT = { chargePointVendor: 'VendorX', chargePointModel: 'ModelY' };

let h: WorkerHarness;
const events: Record<string, unknown>[] = [];

beforeAll(async () => {
  h = await startWorkerHarness({
    config: { maxConnectorId: 8, dataTransferVendors: ['com.Example.Charging'] },
    now: () => NOW,
  });
  await h.bus.subscribe<Record<string, unknown>>(Subjects.eventWildcard, (m) => void events.push(m.data));
});
afterAll(async () => {
  await h.close();
});

async function accepted(id: string): Promise<SimulatedStation> {
  await upsertStation(h.database.db, { id, securityProfile: 0 });
  const station = await h.connect(id, 'ocpp1.6');
  expect(await station.ok('BootNotification', BOOT)).toMatchObject({ status: 'Accepted' });
  return station;
}

function eventsOf(stationId: string, type: string): Record<string, unknown>[] {
  return events.filter((e) => e.stationId === stationId && e.type === type);
}

describe('OCPP 1.6 StatusNotification', () => {
  it('stores connector 0 as (0, 0) and connector N as (N, N), with all reported fields', async () => {
    const station = await accepted('CP-ST');
    await station.ok('StatusNotification', {
      connectorId: 0,
      errorCode: 'NoError',
      status: 'Available',
      timestamp: '2025-06-01T10:00:00.000Z',
    });
    await station.ok('StatusNotification', {
      connectorId: 2,
      errorCode: 'ConnectorLockFailure',
      status: 'Faulted',
      info: 'lock stuck',
      vendorId: 'com.example',
      vendorErrorCode: 'E42',
      timestamp: '2025-06-01T10:00:01.000Z',
    });
    const rows = await h.database.db
      .selectFrom('connectors')
      .selectAll()
      .where('station_id', '=', 'CP-ST')
      .orderBy('evse_id')
      .execute();
    expect(rows.map((r) => ({ ...r, status_at: r.status_at.toISOString(), updated_at: undefined }))).toEqual([
      {
        station_id: 'CP-ST',
        evse_id: 0,
        connector_id: 0,
        status: 'Available',
        error_code: 'NoError',
        info: null,
        vendor_id: null,
        vendor_error_code: null,
        status_at: '2025-06-01T10:00:00.000Z',
        updated_at: undefined,
      },
      {
        station_id: 'CP-ST',
        evse_id: 2,
        connector_id: 2,
        status: 'Faulted',
        error_code: 'ConnectorLockFailure',
        info: 'lock stuck',
        vendor_id: 'com.example',
        vendor_error_code: 'E42',
        status_at: '2025-06-01T10:00:01.000Z',
        updated_at: undefined,
      },
    ]);
    await expect.poll(() => eventsOf('CP-ST', 'status-changed').length).toBe(2);
    expect(eventsOf('CP-ST', 'status-changed')[1]).toMatchObject({
      evseId: 2,
      connectorId: 2,
      status: 'Faulted',
      previousStatus: null,
      errorCode: 'ConnectorLockFailure',
    });
  });

  it('does not let an older status overwrite a newer one, and emits only real changes', async () => {
    const station = await accepted('CP-STALE');
    const status = (s: string, timestamp: string) =>
      station.ok('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: s, timestamp });
    await status('Charging', '2025-06-01T11:00:00.000Z');
    await status('Preparing', '2025-06-01T10:59:00.000Z'); // delivered late
    await status('Charging', '2025-06-01T11:00:30.000Z'); // same status, newer time
    const row = await h.database.db
      .selectFrom('connectors')
      .selectAll()
      .where('station_id', '=', 'CP-STALE')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('Charging');
    expect(row.status_at.toISOString()).toBe('2025-06-01T11:00:30.000Z');
    await status('Finishing', '2025-06-01T11:30:00.000Z');
    await expect
      .poll(() => eventsOf('CP-STALE', 'status-changed').map((e) => e.status))
      .toEqual(['Charging', 'Finishing']);
    expect(eventsOf('CP-STALE', 'status-changed')[1]).toMatchObject({ previousStatus: 'Charging' });
  });

  it('takes the time of receipt when the timestamp is absent', async () => {
    const station = await accepted('CP-NOTS');
    const before = Date.now();
    await station.ok('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    const row = await h.database.db
      .selectFrom('connectors')
      .selectAll()
      .where('station_id', '=', 'CP-NOTS')
      .executeTakeFirstOrThrow();
    expect(row.status_at.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(row.status_at.getTime()).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('refuses connector ids out of range with PropertyConstraintViolation and stores nothing', async () => {
    const station = await accepted('CP-RANGE');
    for (const connectorId of [2_000_000_000, 9, -1]) {
      const outcome = await station.call('StatusNotification', {
        connectorId,
        errorCode: 'NoError',
        status: 'Available',
      });
      expect(outcome).toMatchObject({ type: 'error', code: 'PropertyConstraintViolation' });
    }
    expect(
      await station.call('MeterValues', {
        connectorId: 2_000_000_000,
        meterValue: [{ timestamp: '2025-06-01T10:00:00Z', sampledValue: [{ value: '1' }] }],
      }),
    ).toMatchObject({ type: 'error', code: 'PropertyConstraintViolation' });
    expect(
      await station.call('StartTransaction', {
        connectorId: 0,
        idTag: 'T',
        meterStart: 0,
        timestamp: '2025-06-01T10:00:00Z',
      }),
    ).toMatchObject({ type: 'error', code: 'PropertyConstraintViolation' });
    expect(
      await station.call('StartTransaction', {
        connectorId: 2_000_000_000,
        idTag: 'T',
        meterStart: 0,
        timestamp: '2025-06-01T10:00:00Z',
      }),
    ).toMatchObject({ type: 'error', code: 'PropertyConstraintViolation' });
    const db = h.database.db;
    expect(
      await db.selectFrom('connectors').select('evse_id').where('station_id', '=', 'CP-RANGE').execute(),
    ).toEqual([]);
    expect(
      await db.selectFrom('meter_values').select('id').where('station_id', '=', 'CP-RANGE').execute(),
    ).toEqual([]);
    expect(
      await db.selectFrom('transactions').select('id').where('station_id', '=', 'CP-RANGE').execute(),
    ).toEqual([]);
  });
});

describe('OCPP 1.6 Authorize', () => {
  beforeAll(async () => {
    const db = h.database.db;
    await upsertIdToken(db, {
      idToken: 'ACCEPTED',
      status: 'Accepted',
      expiresAt: new Date('2026-01-01T00:00:00Z'),
      groupId: 'FAMILY',
    });
    await upsertIdToken(db, { idToken: 'PLAIN', status: 'Accepted' });
    await upsertIdToken(db, { idToken: 'BLOCKED', status: 'Blocked', groupId: 'FAMILY' });
    await upsertIdToken(db, {
      idToken: 'OUTDATED',
      status: 'Accepted',
      expiresAt: new Date('2025-05-31T23:59:59Z'),
    });
    await upsertIdToken(db, { idToken: 'EXPIRED', status: 'Expired' });
    await upsertIdToken(db, { idToken: 'BUSY', status: 'Accepted', groupId: 'FLEET' });
    await upsertIdToken(db, { idToken: 'LONGGROUP', status: 'Accepted', groupId: 'G'.repeat(36) });
  });

  it('answers each token status with expiryDate and parentIdTag', async () => {
    const station = await accepted('CP-AUTH');
    const authorize = (idTag: string) => station.ok('Authorize', { idTag });
    expect(await authorize('ACCEPTED')).toEqual({
      idTagInfo: { status: 'Accepted', expiryDate: '2026-01-01T00:00:00.000Z', parentIdTag: 'FAMILY' },
    });
    expect(await authorize('PLAIN')).toEqual({ idTagInfo: { status: 'Accepted' } });
    expect(await authorize('BLOCKED')).toEqual({ idTagInfo: { status: 'Blocked', parentIdTag: 'FAMILY' } });
    expect(await authorize('OUTDATED')).toEqual({
      idTagInfo: { status: 'Expired', expiryDate: '2025-05-31T23:59:59.000Z' },
    });
    expect(await authorize('EXPIRED')).toEqual({ idTagInfo: { status: 'Expired' } });
    // 1.6 has no Unknown: an unknown identifier is Invalid (§7.2).
    expect(await authorize('NOBODY')).toEqual({ idTagInfo: { status: 'Invalid' } });
    // A group id longer than a 1.6 IdToken (20) is left out, not truncated.
    expect(await authorize('LONGGROUP')).toEqual({ idTagInfo: { status: 'Accepted' } });
  });

  it('answers ConcurrentTx for a token in a transaction at another station only', async () => {
    const here = await accepted('CP-AUTH-1');
    const there = await accepted('CP-AUTH-2');
    const start = await there.ok<{ transactionId: number; idTagInfo: unknown }>('StartTransaction', {
      connectorId: 1,
      idTag: 'BUSY',
      meterStart: 0,
      timestamp: '2025-06-01T11:00:00.000Z',
    });
    expect(start.idTagInfo).toEqual({ status: 'Accepted', parentIdTag: 'FLEET' });
    expect(await here.ok('Authorize', { idTag: 'BUSY' })).toEqual({
      idTagInfo: { status: 'ConcurrentTx', parentIdTag: 'FLEET' },
    });
    // At the station of its own transaction the driver may present it again (to stop).
    expect(await there.ok('Authorize', { idTag: 'BUSY' })).toEqual({
      idTagInfo: { status: 'Accepted', parentIdTag: 'FLEET' },
    });
    await there.ok('StopTransaction', {
      transactionId: start.transactionId,
      meterStop: 10,
      timestamp: '2025-06-01T11:10:00.000Z',
    });
    expect(await here.ok('Authorize', { idTag: 'BUSY' })).toEqual({
      idTagInfo: { status: 'Accepted', parentIdTag: 'FLEET' },
    });
  });
});

describe('OCPP 1.6 DataTransfer', () => {
  it('accepts and stores a known vendor (matched ignoring case)', async () => {
    const station = await accepted('CP-DT');
    expect(
      await station.ok('DataTransfer', {
        vendorId: 'com.example.charging',
        messageId: 'Hello',
        data: '{"a":1}',
      }),
    ).toEqual({ status: 'Accepted' });
    const rows = await h.database.db
      .selectFrom('station_notifications')
      .select(['action', 'payload'])
      .where('station_id', '=', 'CP-DT')
      .execute();
    expect(rows).toEqual([
      {
        action: 'DataTransfer',
        payload: { vendorId: 'com.example.charging', messageId: 'Hello', data: '{"a":1}' },
      },
    ]);
    await expect.poll(() => eventsOf('CP-DT', 'data-transfer').length).toBe(1);
  });

  it('answers UnknownVendorId without data for an unknown vendor and stores nothing', async () => {
    const station = await accepted('CP-DT2');
    expect(
      await station.ok('DataTransfer', { vendorId: 'org.other', messageId: 'X', data: 'payload' }),
    ).toEqual({
      status: 'UnknownVendorId',
    });
    const rows = await h.database.db
      .selectFrom('station_notifications')
      .select('id')
      .where('station_id', '=', 'CP-DT2')
      .execute();
    expect(rows).toEqual([]);
  });
});

describe('OCPP 1.6 notifications', () => {
  it('stores firmware, diagnostics, log and signed firmware status notifications and emits events', async () => {
    const station = await accepted('CP-FW');
    await station.ok('FirmwareStatusNotification', { status: 'Downloading' });
    await station.ok('FirmwareStatusNotification', { status: 'Installed' });
    await station.ok('DiagnosticsStatusNotification', { status: 'Uploaded' });
    await station.ok('LogStatusNotification', { status: 'Uploading', requestId: 7 });
    await station.ok('SignedFirmwareStatusNotification', { status: 'SignatureVerified', requestId: 9 });
    const rows = await h.database.db
      .selectFrom('station_notifications')
      .select(['action', 'payload'])
      .where('station_id', '=', 'CP-FW')
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { action: 'FirmwareStatusNotification', payload: { status: 'Downloading' } },
      { action: 'FirmwareStatusNotification', payload: { status: 'Installed' } },
      { action: 'DiagnosticsStatusNotification', payload: { status: 'Uploaded' } },
      { action: 'LogStatusNotification', payload: { status: 'Uploading', requestId: 7 } },
      { action: 'SignedFirmwareStatusNotification', payload: { status: 'SignatureVerified', requestId: 9 } },
    ]);
    await expect
      .poll(() => eventsOf('CP-FW', 'firmware-status').map((e) => e.status))
      .toEqual(['Downloading', 'Installed', 'SignatureVerified']);
    expect(eventsOf('CP-FW', 'diagnostics-status').map((e) => e.status)).toEqual(['Uploaded']);
    expect(eventsOf('CP-FW', 'log-status')).toMatchObject([{ status: 'Uploading', requestId: 7 }]);
  });

  it('stores a security event once when the station sends it again', async () => {
    const station = await accepted('CP-SEC');
    const event = { type: 'FirmwareUpdated', timestamp: '2025-06-01T09:00:00.000Z', techInfo: 'v1.2.3' };
    expect(await station.ok('SecurityEventNotification', event)).toEqual({});
    expect(await station.ok('SecurityEventNotification', event)).toEqual({});
    expect(
      await station.ok('SecurityEventNotification', { ...event, timestamp: '2025-06-01T09:00:01.000Z' }),
    ).toEqual({});
    const rows = await h.database.db
      .selectFrom('security_events')
      .select(['type', 'timestamp', 'tech_info'])
      .where('station_id', '=', 'CP-SEC')
      .orderBy('timestamp')
      .execute();
    expect(rows.map((r) => ({ ...r, timestamp: r.timestamp.toISOString() }))).toEqual([
      { type: 'FirmwareUpdated', timestamp: '2025-06-01T09:00:00.000Z', tech_info: 'v1.2.3' },
      { type: 'FirmwareUpdated', timestamp: '2025-06-01T09:00:01.000Z', tech_info: 'v1.2.3' },
    ]);
    await expect
      .poll(() => eventsOf('CP-SEC', 'security-event').map((e) => e.timestamp))
      .toEqual(['2025-06-01T09:00:00.000Z', '2025-06-01T09:00:01.000Z']);
    expect(eventsOf('CP-SEC', 'security-event')[0]).toMatchObject({
      eventType: 'FirmwareUpdated',
      techInfo: 'v1.2.3',
    });
  });

  it('answers SignCertificate Rejected when no certificate authority is configured (A02.FR.12)', async () => {
    const station = await accepted('CP-CSR');
    expect(await station.call('SignCertificate', { csr: 'x' })).toEqual({
      type: 'result',
      payload: { status: 'Rejected' },
    });
  });
});
