import { findStation, setBootPolicy, upsertStation } from '@csms/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from '../testing/worker-harness.js';
import { bootRequest, callError, collectEvents, type StationEvent } from './testing.js';

const NOW = new Date('2031-03-04T05:06:07.000Z');

describe('OCPP 2.0.1 BootNotification, Heartbeat and the registration gate', () => {
  let h: WorkerHarness;
  let events: StationEvent[];
  beforeAll(async () => {
    h = await startWorkerHarness({
      config: { heartbeatIntervalSec: 600, bootRetryIntervalSec: 45 },
      now: () => NOW,
    });
    events = await collectEvents(h);
  });
  afterAll(async () => {
    await h.close();
  });

  async function connect(id: string, bootPolicy: 'Accepted' | 'Pending' | 'Rejected' | null) {
    await upsertStation(h.database.db, { id, securityProfile: 0, bootPolicy });
    return h.connect(id, 'ocpp2.0.1');
  }

  it('accepts with the default policy, gives the heartbeat interval and records the boot (B01, TC_B_01_CSMS)', async () => {
    const cs = await connect('B-ACC', null);
    const res = await cs.ok('BootNotification', { ...bootRequest() });
    expect(res).toEqual({ currentTime: '2031-03-04T05:06:07.000Z', interval: 600, status: 'Accepted' });
    expect(await findStation(h.database.db, 'B-ACC')).toMatchObject({
      ocpp_version: 'ocpp2.0.1',
      vendor: 'ACME',
      model: 'Volt-2',
      serial_number: 'SN-0001',
      firmware_version: '2.0.1-rc3',
      modem_iccid: '8931000000000000001',
      modem_imsi: '204080000000001',
      registration_status: 'Accepted',
      last_boot_at: NOW,
    });
    await vi.waitFor(() =>
      expect(events.find((e) => e.stationId === 'B-ACC' && e.type === 'booted')).toMatchObject({
        status: 'Accepted',
        interval: 600,
        reason: 'PowerUp',
        vendor: 'ACME',
        model: 'Volt-2',
        serialNumber: 'SN-0001',
        firmwareVersion: '2.0.1-rc3',
      }),
    );
    // Normal messages flow.
    expect(await cs.ok('Heartbeat', {})).toEqual({ currentTime: '2031-03-04T05:06:07.000Z' });
    expect((await findStation(h.database.db, 'B-ACC'))?.last_heartbeat_at).toEqual(NOW);
  });

  it('answers a per-station Pending with the retry interval and refuses other CALLs with SecurityError (B02.FR.09)', async () => {
    const cs = await connect('B-PEND', 'Pending');
    expect(await cs.ok('BootNotification', { ...bootRequest() })).toEqual({
      currentTime: NOW.toISOString(),
      interval: 45,
      status: 'Pending',
    });
    expect(callError(await cs.call('Heartbeat', {})).code).toBe('SecurityError');
    expect(
      callError(
        await cs.call('StatusNotification', {
          timestamp: NOW.toISOString(),
          connectorStatus: 'Available',
          evseId: 1,
          connectorId: 1,
        }),
      ).code,
    ).toBe('SecurityError');
    expect((await findStation(h.database.db, 'B-PEND'))?.registration_status).toBe('Pending');
    expect((await findStation(h.database.db, 'B-PEND'))?.last_heartbeat_at).toBeNull();
  });

  it('accepts the triggered BootNotification once the policy is Accepted (TC_B_31_CSMS)', async () => {
    const cs = await connect('B-TRIG', 'Pending');
    expect((await cs.ok<{ status: string }>('BootNotification', { ...bootRequest() })).status).toBe(
      'Pending',
    );
    await cs.answer(() => ({ type: 'result', payload: { status: 'Accepted' } }));
    const outcome = await cs.command('TriggerMessage', { requestedMessage: 'BootNotification' });
    expect(outcome).toEqual({ status: 'result', payload: { status: 'Accepted' } });
    expect(cs.received.map((c) => [c.action, c.payload])).toEqual([
      ['TriggerMessage', { requestedMessage: 'BootNotification' }],
    ]);
    expect(await setBootPolicy(h.database.db, 'B-TRIG', 'Accepted')).toBe(true);

    expect(await cs.ok('BootNotification', { ...bootRequest('Triggered') })).toEqual({
      currentTime: NOW.toISOString(),
      interval: 600,
      status: 'Accepted',
    });
    expect(await cs.ok('Heartbeat', {})).toEqual({ currentTime: NOW.toISOString() });
    expect(
      await cs.ok('StatusNotification', {
        timestamp: NOW.toISOString(),
        connectorStatus: 'Available',
        evseId: 1,
        connectorId: 1,
      }),
    ).toEqual({});
    expect((await findStation(h.database.db, 'B-TRIG'))?.registration_status).toBe('Accepted');
  });

  it('allows NotifyReport while Pending only after an accepted GetBaseReport, until the next boot (B02.FR.02)', async () => {
    const cs = await connect('B-REPORT', 'Pending');
    await cs.ok('BootNotification', { ...bootRequest() });
    const report = { requestId: 7, generatedAt: NOW.toISOString(), seqNo: 0, tbc: false, reportData: [] };
    expect(callError(await cs.call('NotifyReport', report)).code).toBe('SecurityError');

    await cs.answer(() => ({ type: 'result', payload: { status: 'Accepted' } }));
    expect(await cs.command('GetBaseReport', { requestId: 7, reportBase: 'FullInventory' })).toEqual({
      status: 'result',
      payload: { status: 'Accepted' },
    });
    expect(await cs.ok('NotifyReport', report)).toEqual({});
    expect(callError(await cs.call('Heartbeat', {})).code).toBe('SecurityError');
    const rows = await h.database.db
      .selectFrom('device_reports')
      .selectAll()
      .where('station_id', '=', 'B-REPORT')
      .execute();
    expect(rows.map((r) => [r.request_id, r.seq_no, r.tbc])).toEqual([[7, 0, false]]);

    // A new boot ends what was asked before.
    expect((await cs.ok<{ status: string }>('BootNotification', { ...bootRequest() })).status).toBe(
      'Pending',
    );
    expect(callError(await cs.call('NotifyReport', { ...report, seqNo: 1 })).code).toBe('SecurityError');
  });

  it('lets a Rejected station send only BootNotification and refuses commands to it (B03.FR.03/07)', async () => {
    const cs = await connect('B-REJ', 'Rejected');
    expect(await cs.ok('BootNotification', { ...bootRequest() })).toEqual({
      currentTime: NOW.toISOString(),
      interval: 45,
      status: 'Rejected',
    });
    expect(callError(await cs.call('Heartbeat', {})).code).toBe('SecurityError');
    expect(
      callError(await cs.call('NotifyReport', { requestId: 1, generatedAt: NOW.toISOString(), seqNo: 0 }))
        .code,
    ).toBe('SecurityError');
    await cs.answer(() => ({ type: 'result', payload: { status: 'Accepted' } }));
    const outcome = await cs.command('GetBaseReport', { requestId: 1, reportBase: 'FullInventory' });
    expect(outcome).toMatchObject({ status: 'refused', reason: 'station-rejected' });
    expect(cs.received).toEqual([]);
    // Booting again is always allowed (and still Rejected).
    expect((await cs.ok<{ status: string }>('BootNotification', { ...bootRequest() })).status).toBe(
      'Rejected',
    );
    expect((await findStation(h.database.db, 'B-REJ'))?.registration_status).toBe('Rejected');
  });

  it('rejects a station that has no registry row and records nothing', async () => {
    const cs = await h.connect('B-NOROW', 'ocpp2.0.1');
    expect(await cs.ok('BootNotification', { ...bootRequest() })).toEqual({
      currentTime: NOW.toISOString(),
      interval: 45,
      status: 'Rejected',
    });
    expect(await findStation(h.database.db, 'B-NOROW')).toBeUndefined();
    expect(callError(await cs.call('Heartbeat', {})).code).toBe('SecurityError');
  });
});

describe('OCPP 2.0.1 BootNotification with a Pending CSMS default', () => {
  let h: WorkerHarness;
  beforeAll(async () => {
    h = await startWorkerHarness({
      config: { defaultBootPolicy: 'Pending', heartbeatIntervalSec: 120, bootRetryIntervalSec: 9 },
      now: () => NOW,
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('uses the default for stations without a policy and the station policy otherwise', async () => {
    await upsertStation(h.database.db, { id: 'D-DEFAULT', securityProfile: 0 });
    await upsertStation(h.database.db, { id: 'D-OWN', securityProfile: 0, bootPolicy: 'Accepted' });
    const byDefault = await h.connect('D-DEFAULT', 'ocpp2.0.1');
    const own = await h.connect('D-OWN', 'ocpp2.0.1');
    expect(await byDefault.ok('BootNotification', { ...bootRequest() })).toEqual({
      currentTime: NOW.toISOString(),
      interval: 9,
      status: 'Pending',
    });
    expect(await own.ok('BootNotification', { ...bootRequest() })).toEqual({
      currentTime: NOW.toISOString(),
      interval: 120,
      status: 'Accepted',
    });
    expect(callError(await byDefault.call('Heartbeat', {})).code).toBe('SecurityError');
    expect(await own.ok('Heartbeat', {})).toEqual({ currentTime: NOW.toISOString() });
  });
});
