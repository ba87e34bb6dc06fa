import { findMonitoringSettings, listMonitors, upsertStation } from '@csms/db';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerHarness, type Responder, type WorkerHarness } from '../testing/worker-harness.js';
import { bootRequest } from './testing.js';

const monitor = (variable: string, severity = 5): V201.SetMonitoringDataType => ({
  value: 10,
  type: 'UpperThreshold',
  severity,
  component: { name: 'EVSE', evse: { id: 1 } },
  variable: { name: variable },
});

describe('OCPP 2.0.1 monitoring commands, however sent (N03-N06 after-command hooks)', () => {
  let h: WorkerHarness;
  beforeAll(async () => {
    h = await startWorkerHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** A booted station answering every CSMS CALL with `answers[action]` (a CALLRESULT payload or a function). */
  async function station(id: string, answers: Record<string, (payload: Record<string, unknown>) => unknown>) {
    await upsertStation(h.database.db, { id, securityProfile: 0 });
    const answer: Responder = (call) => ({
      type: 'result',
      payload: (answers[call.action]?.(call.payload) ?? {}) as Record<string, unknown>,
    });
    const cs = await h.connect(id, 'ocpp2.0.1', { answer });
    await cs.ok('BootNotification', { ...bootRequest() });
    return cs;
  }
  const stored = async (stationId: string) =>
    (await listMonitors(h.database.db, stationId, {}, undefined, 100)).map((r) => [
      r.monitor_id,
      r.variable_name,
    ]);

  it('stores the monitors answered Accepted with the station’s ids, drops those cleared Accepted or NotFound', async () => {
    let next = 40;
    const cs = await station('MON-HOOK', {
      SetVariableMonitoring: (p) => ({
        setMonitoringResult: (p.setMonitoringData as V201.SetMonitoringDataType[]).map((d) => ({
          id: (next += 1),
          status: d.variable.name === 'Refused' ? 'Rejected' : 'Accepted',
          type: d.type,
          severity: d.severity,
          component: d.component,
          variable: d.variable,
        })),
      }),
      ClearVariableMonitoring: (p) => ({
        clearMonitoringResult: (p.id as number[]).map((id) => ({
          id,
          status: id === 41 ? 'Rejected' : id === 99 ? 'NotFound' : 'Accepted',
        })),
      }),
    });
    const set = await cs.command('SetVariableMonitoring', {
      setMonitoringData: [monitor('Power'), monitor('Refused'), monitor('Current')],
    });
    expect(set).toMatchObject({ status: 'result' });
    expect(await stored('MON-HOOK')).toEqual([
      [41, 'Power'],
      [43, 'Current'],
    ]);
    await cs.command('ClearVariableMonitoring', { id: [41, 43, 99] });
    expect(await stored('MON-HOOK')).toEqual([[41, 'Power']]);
  });

  it('records an accepted monitoring level and base; a base the station refuses changes nothing', async () => {
    let baseStatus = 'Rejected';
    const cs = await station('MON-BASE', {
      SetVariableMonitoring: (p) => ({
        setMonitoringResult: (p.setMonitoringData as V201.SetMonitoringDataType[]).map((d) => ({
          id: 7,
          status: 'Accepted',
          type: d.type,
          severity: d.severity,
          component: d.component,
          variable: d.variable,
        })),
      }),
      SetMonitoringLevel: () => ({ status: 'Accepted' }),
      SetMonitoringBase: () => ({ status: baseStatus }),
    });
    await cs.command('SetVariableMonitoring', { setMonitoringData: [monitor('Power')] });
    await cs.command('SetMonitoringLevel', { severity: 3 });
    await cs.command('SetMonitoringBase', { monitoringBase: 'HardWiredOnly' });
    expect(await findMonitoringSettings(h.database.db, 'MON-BASE')).toMatchObject({ monitoring_level: 3 });
    expect(await stored('MON-BASE')).toEqual([[7, 'Power']]);
    baseStatus = 'Accepted';
    await cs.command('SetMonitoringBase', { monitoringBase: 'HardWiredOnly' });
    // N03.FR.05: HardWiredOnly leaves only hard-wired monitors; the custom one set above is gone.
    expect(await findMonitoringSettings(h.database.db, 'MON-BASE')).toMatchObject({
      monitoring_base: 'HardWiredOnly',
    });
    expect(await stored('MON-BASE')).toEqual([]);
  });
});
