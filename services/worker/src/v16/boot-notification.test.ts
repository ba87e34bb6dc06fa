import { Subjects } from '@csms/bus';
import { findStation, setBootPolicy, upsertStation, type BootPolicy } from '@csms/db';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from '../testing/worker-harness.js';
import type { WorkerConfig } from '../worker-config.js';

const NOW = new Date('2025-03-04T05:06:07.000Z');
const BOOT = {
  chargePointVendor: 'VendorX',
  chargePointModel: 'ModelY',
  chargeBoxSerialNumber: 'BOX-1',
  firmwareVersion: '1.2.3',
  iccid: '8931000000000000001',
  imsi: '204080000000001',
  meterType: 'MT-9',
  meterSerialNumber: 'M-42',
};
const CONFIG: Partial<WorkerConfig> = { heartbeatIntervalSec: 120, bootRetryIntervalSec: 45 };

let harness: WorkerHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(config: Partial<WorkerConfig> = {}): Promise<WorkerHarness> {
  harness = await startWorkerHarness({ config: { ...CONFIG, ...config }, now: () => NOW });
  return harness;
}

async function seed(h: WorkerHarness, id: string, bootPolicy: BootPolicy | null = null): Promise<void> {
  await upsertStation(h.database.db, { id, securityProfile: 0, bootPolicy });
}

describe('OCPP 1.6 BootNotification', () => {
  it('accepts with the heartbeat interval under the default policy and records the boot', async () => {
    const h = await start();
    await seed(h, 'CP-A');
    const booted: Record<string, unknown>[] = [];
    await h.bus.subscribe<Record<string, unknown>>(
      Subjects.event('CP-A', 'booted'),
      (m) => void booted.push(m.data),
    );
    const station = await h.connect('CP-A', 'ocpp1.6');

    const answer = await station.ok('BootNotification', BOOT);
    expect(answer).toEqual({ status: 'Accepted', currentTime: '2025-03-04T05:06:07.000Z', interval: 120 });

    const row = await findStation(h.database.db, 'CP-A');
    expect(row).toMatchObject({
      ocpp_version: 'ocpp1.6',
      vendor: 'VendorX',
      model: 'ModelY',
      serial_number: 'BOX-1', // deprecated chargeBoxSerialNumber used when chargePointSerialNumber is absent
      firmware_version: '1.2.3',
      modem_iccid: '8931000000000000001',
      modem_imsi: '204080000000001',
      meter_type: 'MT-9',
      meter_serial_number: 'M-42',
      registration_status: 'Accepted',
    });
    expect(row?.last_boot_at?.toISOString()).toBe('2025-03-04T05:06:07.000Z');
    await expect.poll(() => booted.length).toBe(1);
    expect(booted[0]).toMatchObject({
      stationId: 'CP-A',
      type: 'booted',
      status: 'Accepted',
      interval: 120,
      vendor: 'VendorX',
    });

    // Accepted: other messages go through.
    expect(await station.ok('Heartbeat', {})).toEqual({ currentTime: '2025-03-04T05:06:07.000Z' });
    expect((await findStation(h.database.db, 'CP-A'))?.last_heartbeat_at?.toISOString()).toBe(
      '2025-03-04T05:06:07.000Z',
    );
  });

  it('prefers chargePointSerialNumber over the deprecated chargeBoxSerialNumber', async () => {
    const h = await start();
    await seed(h, 'CP-S');
    const station = await h.connect('CP-S', 'ocpp1.6');
    await station.ok('BootNotification', { ...BOOT, chargePointSerialNumber: 'CP-SERIAL' });
    expect((await findStation(h.database.db, 'CP-S'))?.serial_number).toBe('CP-SERIAL');
  });

  it('answers Pending with the retry interval under a Pending default policy', async () => {
    const h = await start({ defaultBootPolicy: 'Pending' });
    await seed(h, 'CP-P');
    const station = await h.connect('CP-P', 'ocpp1.6');
    expect(await station.ok('BootNotification', BOOT)).toEqual({
      status: 'Pending',
      currentTime: '2025-03-04T05:06:07.000Z',
      interval: 45,
    });
    expect((await findStation(h.database.db, 'CP-P'))?.registration_status).toBe('Pending');
  });

  it('uses the station policy over the default (Rejected and Accepted overrides)', async () => {
    const h = await start({ defaultBootPolicy: 'Pending' });
    await seed(h, 'CP-R', 'Rejected');
    await seed(h, 'CP-OK', 'Accepted');
    const rejected = await h.connect('CP-R', 'ocpp1.6');
    const accepted = await h.connect('CP-OK', 'ocpp1.6');
    expect(await rejected.ok('BootNotification', BOOT)).toEqual({
      status: 'Rejected',
      currentTime: '2025-03-04T05:06:07.000Z',
      interval: 45,
    });
    expect(await accepted.ok('BootNotification', BOOT)).toEqual({
      status: 'Accepted',
      currentTime: '2025-03-04T05:06:07.000Z',
      interval: 120,
    });
  });

  it('rejects a station that has no stations row', async () => {
    const h = await start();
    const station = await h.connect('CP-GHOST', 'ocpp1.6');
    expect(await station.ok('BootNotification', BOOT)).toEqual({
      status: 'Rejected',
      currentTime: '2025-03-04T05:06:07.000Z',
      interval: 45,
    });
    expect(await findStation(h.database.db, 'CP-GHOST')).toBeUndefined();
    expect(await station.call('Heartbeat', {})).toMatchObject({ type: 'error', code: 'SecurityError' });
  });

  it('refuses messages before the first BootNotification', async () => {
    const h = await start();
    await seed(h, 'CP-NEW');
    const station = await h.connect('CP-NEW', 'ocpp1.6');
    expect(await station.call('Heartbeat', {})).toMatchObject({ type: 'error', code: 'SecurityError' });
  });

  it('while Pending: refuses station messages except those asked for by TriggerMessage', async () => {
    const h = await start({ defaultBootPolicy: 'Pending' });
    await seed(h, 'CP-PT');
    const station = await h.connect('CP-PT', 'ocpp1.6');
    await station.ok('BootNotification', BOOT);

    expect(await station.call('Heartbeat', {})).toMatchObject({ type: 'error', code: 'SecurityError' });
    const status = { connectorId: 1, errorCode: 'NoError', status: 'Available' };
    expect(await station.call('StatusNotification', status)).toMatchObject({
      type: 'error',
      code: 'SecurityError',
    });

    // Pending: RemoteStartTransaction may not be sent (§4.2), configuration commands may.
    expect(await station.command('RemoteStartTransaction', { idTag: 'TAG' })).toMatchObject({
      status: 'refused',
      reason: 'station-pending',
    });

    await station.answer(() => ({ type: 'result', payload: { status: 'Accepted' } }));
    const trigger = await station.command('TriggerMessage', { requestedMessage: 'StatusNotification' });
    expect(trigger).toEqual({ status: 'result', payload: { status: 'Accepted' } });
    expect(station.received.map((c) => c.action)).toEqual(['TriggerMessage']);

    expect(await station.call('StatusNotification', status)).toEqual({ type: 'result', payload: {} });
    // Only the triggered message is let through.
    expect(await station.call('Heartbeat', {})).toMatchObject({ type: 'error', code: 'SecurityError' });

    // Accepted at the next boot: everything goes through.
    await setBootPolicy(h.database.db, 'CP-PT', 'Accepted');
    expect(await station.ok('BootNotification', BOOT)).toMatchObject({ status: 'Accepted', interval: 120 });
    expect(await station.call('Heartbeat', {})).toEqual({
      type: 'result',
      payload: { currentTime: '2025-03-04T05:06:07.000Z' },
    });
  });

  it('a new BootNotification ends what a TriggerMessage allowed while Pending', async () => {
    const h = await start({ defaultBootPolicy: 'Pending' });
    await seed(h, 'CP-PT2');
    const station = await h.connect('CP-PT2', 'ocpp1.6');
    await station.ok('BootNotification', BOOT);
    await station.answer(() => ({ type: 'result', payload: { status: 'Accepted' } }));
    await station.command('TriggerMessage', { requestedMessage: 'Heartbeat' });
    expect(await station.call('Heartbeat', {})).toMatchObject({ type: 'result' });
    await station.ok('BootNotification', BOOT); // still Pending
    expect(await station.call('Heartbeat', {})).toMatchObject({ type: 'error', code: 'SecurityError' });
  });

  it('while Rejected: accepts only BootNotification and refuses CSMS commands', async () => {
    const h = await start();
    await seed(h, 'CP-REJ', 'Rejected');
    const station = await h.connect('CP-REJ', 'ocpp1.6');
    await station.answer(() => ({ type: 'result', payload: { status: 'Accepted' } }));
    expect(await station.ok('BootNotification', BOOT)).toMatchObject({ status: 'Rejected', interval: 45 });

    for (const [action, payload] of [
      ['Heartbeat', {}],
      ['StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' }],
      ['Authorize', { idTag: 'TAG' }],
    ] as const) {
      expect(await station.call(action, payload)).toMatchObject({ type: 'error', code: 'SecurityError' });
    }
    expect(await station.command('GetConfiguration', {})).toMatchObject({
      status: 'refused',
      reason: 'station-rejected',
    });
    expect(await station.command('TriggerMessage', { requestedMessage: 'StatusNotification' })).toMatchObject(
      {
        status: 'refused',
        reason: 'station-rejected',
      },
    );
    expect(station.received).toEqual([]);
    const connectors = await h.database.db.selectFrom('connectors').selectAll().execute();
    expect(connectors).toEqual([]);

    // BootNotification is still answered (and still Rejected).
    expect(await station.ok('BootNotification', BOOT)).toMatchObject({ status: 'Rejected' });
  });
});
