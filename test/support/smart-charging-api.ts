/**
 * Set-up shared by the SmartChargingService API tests (`test/api/smart-charging-*.test.ts`): a whole embedded
 * CSMS on PostgreSQL with the service on a real gRPC server, and booted 1.6 / 2.0.1 stations. The `let`
 * bindings are live: each test file that calls {@link useSmartChargingApi} gets its own (vitest runs every
 * file in its own module graph).
 */
import {
  connectApi,
  smartChargingV1 as api,
  startApiServer,
  type ApiClient,
  type ApiConnection,
  type ApiServer,
} from '@csms/grpc';
import { createSmartChargingService, type SmartChargingApiService } from '@csms/smart-charging';
import { createLogger } from '@csms/telemetry';
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestCsms, type TestCsms } from './csms.js';
import { booted16, booted201 } from './octt-states.js';
import { connect16, connect201, uniqueId, type Station16, type Station201 } from './scenario.js';

export const {
  ChargingProfilePurpose: P,
  ChargingProfileKind: K,
  ChargingRateUnit: U,
  RecurrencyKind: R,
  ChargingProfileStatus: S,
  ClearChargingProfileStatus: C,
  CompositeScheduleStatus: CS,
} = api;

export let csms: TestCsms;
export let server: ApiServer;
let service: SmartChargingApiService;
export let connection: ApiConnection;
export let client: ApiClient<typeof api.SmartChargingServiceDefinition>;

export async function booted16Station(): Promise<Station16> {
  const cp = await connect16(csms, { id: uniqueId('SC16') });
  expect((await booted16(cp, 2)).status).toBe('Accepted');
  return cp;
}

export async function booted201Station(): Promise<Station201> {
  const cs = await connect201(csms, { id: uniqueId('SC201') });
  expect(
    (
      await booted201(cs, [
        [1, 1],
        [2, 1],
      ])
    ).status,
  ).toBe('Accepted');
  return cs;
}

export async function storedIds(stationId: string, filter: Partial<api.GetChargingProfilesRequest> = {}) {
  const { profiles } = await client.getChargingProfiles({ stationId, ...filter });
  return profiles.map((p) => p.profile!.id);
}

// Whole seconds, as a station echoes them; the OCTT's "now" and "now + duration".
export const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
export const LATER = new Date(NOW.getTime() + 3_600_000);

/** An Absolute profile with one schedule of one period, as the OCTT cases configure it. */
export function absolute(
  id: number,
  purpose: api.ChargingProfilePurpose,
  limit: number,
  overrides: Partial<api.ChargingProfile> = {},
): api.ChargingProfile {
  return {
    id,
    stackLevel: 1,
    purpose,
    kind: K.CHARGING_PROFILE_KIND_ABSOLUTE,
    recurrencyKind: R.RECURRENCY_KIND_UNSPECIFIED,
    validFrom: NOW,
    validTo: LATER,
    schedules: [
      {
        startSchedule: NOW,
        duration: 3600,
        chargingRateUnit: U.CHARGING_RATE_UNIT_A,
        periods: [{ startPeriod: 0, limit, numberPhases: 1 }],
      },
    ],
    ...overrides,
  };
}

/** Registers the set-up and tear-down hooks of a test file that uses these helpers. */
export function useSmartChargingApi(): void {
  beforeAll(async () => {
    csms = await startTestCsms({ database: 'postgres' });
    const logger = createLogger({ service: 'smart-charging-api-test', level: 'silent' });
    service = createSmartChargingService({
      db: csms.database.db,
      stations: csms.stations,
      bus: csms.bus,
      logger,
    });
    await service.ready;
    server = await startApiServer({ host: '127.0.0.1', port: 0, auth: { kind: 'none' }, logger }, [service]);
    connection = connectApi({ address: `127.0.0.1:${server.port}` });
    client = connection.client(api.SmartChargingServiceDefinition);
  });
  afterAll(async () => {
    connection.close();
    await server.stop();
    await service.close();
    await csms.close();
  });
}
