import { findStation, upsertStation } from '@csms/db';
import { createValidator } from '@csms/ocpp';
import { noopCsmsMetrics, type CsmsMetrics } from '@csms/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type WorkerHarness } from './testing/worker-harness.js';
import { bootRequest, bootedStation } from './v201/testing.js';

const NOW = new Date('2031-05-06T07:08:09.000Z');

/**
 * Early refusal under overload, through a real worker on a real database: the worker measures its own CALLs
 * on the detector's clock, which this test moves (each reading advances it by `step` ms, so every CALL
 * "takes" about one step), instead of loading a shared machine until it is slow.
 */
describe('worker under overload', () => {
  let h: WorkerHarness;
  let clock = 0;
  let step = 1;
  const refusals: Record<string, unknown>[] = [];
  const boots: Record<string, unknown>[] = [];
  const overloaded: number[] = [];
  beforeAll(async () => {
    const metrics: CsmsMetrics = {
      ...noopCsmsMetrics(),
      overloadRefusalsTotal: {
        add: (_v: number, a?: Record<string, unknown>) => void refusals.push(a ?? {}),
      },
      bootNotificationsTotal: { add: (_v: number, a?: Record<string, unknown>) => void boots.push(a ?? {}) },
      overloaded: { add: (v: number) => void overloaded.push(v) },
    };
    h = await startWorkerHarness({
      config: {
        overload: { targetMs: 50, windowMs: 1000, windows: 2, minCalls: 3 },
        overloadBootIntervalSec: 20,
        heartbeatIntervalSec: 300,
      },
      now: () => NOW,
      metrics,
      overloadClock: () => (clock += step),
      random: () => 0.5,
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers new BootNotifications Pending at once while every CALL waits, handles the rest, and recovers', async () => {
    const admitted = await bootedStation(h, 'OL-ADMITTED');
    await upsertStation(h.database.db, { id: 'OL-NEW', securityProfile: 0, bootPolicy: null });
    await upsertStation(h.database.db, { id: 'OL-V16', securityProfile: 0, bootPolicy: null });
    const fresh = await h.connect('OL-NEW', 'ocpp2.0.1');
    const fresh16 = await h.connect('OL-V16', 'ocpp1.6');
    expect(h.worker.overloaded).toBe(false);

    // Every CALL now takes 60 ms in the worker: after two whole windows of them it is overloaded.
    step = 60;
    for (let i = 0; i < 40 && !h.worker.overloaded; i++) await admitted.ok('Heartbeat', {});
    expect(h.worker.overloaded).toBe(true);
    expect(overloaded).toEqual([1]);

    // A new station is refused early: Pending with the jittered interval (20 + 0.5 × 20), nothing recorded.
    const answer = await fresh.ok('BootNotification', { ...bootRequest() });
    expect(answer).toEqual({
      status: 'Pending',
      currentTime: NOW.toISOString(),
      interval: 30,
      statusInfo: { reasonCode: 'Unspecified', additionalInfo: 'CSMS overloaded: boot again after interval' },
    });
    expect(await findStation(h.database.db, 'OL-NEW')).toMatchObject({
      registration_status: null,
      last_boot_at: null,
    });
    const answer16 = await fresh16.ok('BootNotification', {
      chargePointVendor: 'ACME',
      chargePointModel: 'M1',
    });
    expect(answer16).toEqual({ status: 'Pending', currentTime: NOW.toISOString(), interval: 30 });
    // The edge checks every CALLRESULT against the response schema: these must pass it.
    const validator = createValidator();
    expect(validator.validateResponse('ocpp2.0.1', 'BootNotification', answer)).toBeUndefined();
    expect(validator.validateResponse('ocpp1.6', 'BootNotification', answer16)).toBeUndefined();
    expect(refusals).toEqual([
      { action: 'BootNotification', version: 'ocpp2.0.1' },
      { action: 'BootNotification', version: 'ocpp1.6' },
    ]);
    expect(boots.filter((b) => b.status === 'Pending')).toHaveLength(2);

    // An admitted station's CALLs are still handled (and recorded).
    const status = await admitted.call('StatusNotification', {
      timestamp: NOW.toISOString(),
      connectorStatus: 'Occupied',
      evseId: 1,
      connectorId: 1,
    });
    expect(status).toEqual({ type: 'result', payload: {} });

    // CALLs go through quickly again: the first window under the target ends the overload.
    step = 1;
    for (let i = 0; i < 2000 && h.worker.overloaded; i++) await admitted.ok('Heartbeat', {});
    expect(h.worker.overloaded).toBe(false);
    expect(overloaded).toEqual([1, -1]);
    expect(await fresh.ok('BootNotification', { ...bootRequest() })).toEqual({
      status: 'Accepted',
      currentTime: NOW.toISOString(),
      interval: 300,
    });
    expect(await findStation(h.database.db, 'OL-NEW')).toMatchObject({ registration_status: 'Accepted' });
    expect(refusals).toHaveLength(2);
  });

  it('refuses nothing with a target of 0', async () => {
    const off = await startWorkerHarness({
      config: { overload: { targetMs: 0, windowMs: 1000, windows: 2, minCalls: 3 } },
      overloadClock: () => (clock += 1000),
    });
    try {
      const cs = await bootedStation(off, 'OL-OFF');
      for (let i = 0; i < 10; i++) await cs.ok('Heartbeat', {});
      expect(off.worker.overloaded).toBe(false);
      expect(await cs.ok('BootNotification', { ...bootRequest() })).toMatchObject({ status: 'Accepted' });
    } finally {
      await off.close();
    }
  });
});
