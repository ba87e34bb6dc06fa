/**
 * Set-up shared by the tariff tests (`test/api/tariffs*.test.ts`, `test/scenarios/v201-tariff-cost*.test.ts`): a whole
 * embedded CSMS on PostgreSQL, a client of its TariffService (served by the embedded process itself), a booted 2.0.1
 * station with a valid id token, and the tariff fields tests vary. The `let` bindings are live: each test file that
 * calls {@link useTariffApi} gets its own (vitest runs every file in its own module graph).
 */
import { listStationQueuedCommands } from '@csms/db';
import { connectApi, tariffV1 as api, type ApiClient, type ApiConnection } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestCsms, type TestCsms } from './csms.js';
import { booted201, Tx201 } from './octt-states.js';
import { addIdToken, connect201, type Station201 } from './scenario.js';

export let csms: TestCsms;
export let connection: ApiConnection;
export let client: ApiClient<typeof api.TariffServiceDefinition>;

/** Registers the set-up and tear-down hooks of a test file that uses these helpers. */
export function useTariffApi(): void {
  beforeAll(async () => {
    csms = await startTestCsms({ database: 'postgres' });
    connection = connectApi({ address: csms.grpcAddress });
    client = connection.client(api.TariffServiceDefinition);
  });
  afterAll(async () => {
    connection.close();
    await csms.close();
  });
}

/** A tariff with the given fields (default: EUR, everything free, a text). */
export function tariff(fields: Partial<api.Tariff> & { tariffId: string }): api.Tariff {
  return {
    currency: 'EUR',
    pricePerKwh: 0,
    pricePerHour: 0,
    flatFee: 0,
    taxRatePercent: 0,
    displayText: `tariff ${fields.tariffId}`,
    displayTexts: {},
    stationId: '',
    idTokenGroup: '',
    createTime: undefined,
    updateTime: undefined,
    ...fields,
  };
}

/**
 * A booted 2.0.1 station that answers CostUpdated, and a transaction (not started yet) with a fresh valid token
 * (of `groupId` when given).
 */
export async function stationWithTx(groupId?: string): Promise<{ cs: Station201; tx: Tx201 }> {
  const cs = await connect201(csms);
  cs.respond('CostUpdated', {});
  expect((await booted201(cs)).status).toBe('Accepted');
  const idToken: V201.IdTokenType = {
    idToken: await addIdToken(csms, 'TARIFF', { type: 'ISO14443', ...(groupId ? { groupId } : {}) }),
    type: 'ISO14443',
  };
  return { cs, tx: new Tx201(cs, { idToken }) };
}

/** `ms` after `iso`, as an ISO 8601 string. */
export function after(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** An Energy.Active.Import.Register reading (Wh), context Sample.Periodic. */
export function periodic(wh: number, timestamp: string): V201.MeterValueType {
  return {
    timestamp,
    sampledValue: [
      {
        value: wh,
        context: 'Sample.Periodic',
        measurand: 'Energy.Active.Import.Register',
        unitOfMeasure: { unit: 'Wh' },
      },
    ],
  };
}

/** The CostUpdated requests the CSMS queued for the station (durably, before its CALLRESULT). */
export async function queuedCostUpdates(stationId: string): Promise<Record<string, unknown>[]> {
  const rows = await listStationQueuedCommands(csms.database.db, stationId);
  return rows.filter((r) => r.action === 'CostUpdated').map((r) => r.payload);
}
