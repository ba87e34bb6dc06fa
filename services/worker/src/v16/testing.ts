import { Subjects } from '@csms/bus';
import { upsertIdToken, upsertStation, type DatabaseConfig } from '@csms/db';
import { startWorkerHarness, type SimulatedStation, type WorkerHarness } from '../testing/worker-harness.js';

/** Helpers for the OCPP 1.6 transaction handler tests (not used at run time). */

export const NOW = new Date('2025-06-01T12:00:00.000Z');
const BOOT = { chargePointVendor: 'VendorX', chargePointModel: 'ModelY' };

export interface StartAnswer {
  transactionId: number;
  idTagInfo: { status: string; parentIdTag?: string; expiryDate?: string };
}

export const sample = (timestamp: string, wh: string, context = 'Sample.Periodic') => ({
  timestamp,
  sampledValue: [
    { value: wh, context, measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
    { value: '16.0', context, measurand: 'Current.Import', unit: 'A', phase: 'L1' },
  ],
});

/**
 * A worker at {@link NOW} with connectors 1..4 and the drivers' id tokens (DRIVER1 of group ACME until
 * 2027, DRIVER2, DRIVER3, BLOCKED); every station event is pushed to `events`.
 */
export async function startTransactionHarness(
  database: DatabaseConfig,
  events: Record<string, unknown>[],
): Promise<WorkerHarness> {
  const h = await startWorkerHarness({ database, config: { maxConnectorId: 4 }, now: () => NOW });
  await h.bus.subscribe<Record<string, unknown>>(Subjects.eventWildcard, (m) => void events.push(m.data));
  const db = h.database.db;
  await upsertIdToken(db, {
    idToken: 'DRIVER1',
    status: 'Accepted',
    groupId: 'ACME',
    expiresAt: new Date('2027-01-01T00:00:00Z'),
  });
  await upsertIdToken(db, { idToken: 'DRIVER2', status: 'Accepted' });
  await upsertIdToken(db, { idToken: 'DRIVER3', status: 'Accepted' });
  await upsertIdToken(db, { idToken: 'BLOCKED', status: 'Blocked' });
  return h;
}

/** Helpers over a file's harness (read when called: the harness starts in `beforeAll`). */
export function transactionTools(harness: () => WorkerHarness) {
  /** Registers, connects and boots a 1.6 station (Accepted). */
  async function accepted(id: string): Promise<SimulatedStation> {
    const h = harness();
    await upsertStation(h.database.db, { id, securityProfile: 0 });
    const station = await h.connect(id, 'ocpp1.6');
    const boot = await station.ok<{ status: string }>('BootNotification', BOOT);
    if (boot.status !== 'Accepted') throw new Error(`${id} booted ${boot.status}`);
    return station;
  }

  function transactionsOf(stationId: string) {
    return harness()
      .database.db.selectFrom('transactions')
      .selectAll()
      .where('station_id', '=', stationId)
      .orderBy('id')
      .execute();
  }

  function meterValuesOf(stationId: string) {
    return harness()
      .database.db.selectFrom('meter_values')
      .selectAll()
      .where('station_id', '=', stationId)
      .orderBy('id')
      .execute();
  }

  return { accepted, transactionsOf, meterValuesOf };
}
