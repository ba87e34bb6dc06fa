/**
 * Set-up shared by the AuthService API tests (`test/api/auth-*.test.ts`): a whole embedded CSMS on PostgreSQL
 * seeded with password stations, the service on a real gRPC server, and booted 1.6 / 2.0.1 stations. The `let`
 * bindings are live: each test file that calls {@link useAuthApi} gets its own (vitest runs every file in its
 * own module graph).
 */
import { createAuthService } from '@csms/auth';
import {
  authV1,
  connectApi,
  startApiServer,
  type ApiClient,
  type ApiConnection,
  type ApiServer,
} from '@csms/grpc';
import { createLogger } from '@csms/telemetry';
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestCsms, type TestCsms } from './csms.js';
import { booted16, booted201 } from './octt-states.js';
import { basicAuth, rawUpgrade } from './raw-station.js';
import { connect16, connect201, uniqueId, type Station16, type Station201 } from './scenario.js';

export const { AuthorizationStatus: S, LocalListStatus, UpdateType } = authV1;

export const PASSWORD16 = '00112233445566778899aabbccddeeff';
export const PASSWORD201 = 'OCTT201-basic-password-01';
export const PW_STATIONS_16 = ['AUTH-PW16-A', 'AUTH-PW16-B', 'AUTH-PW16-C'] as const;
export const PW_STATIONS_201 = ['AUTH-PW201-A', 'AUTH-PW201-B'] as const;

export let csms: TestCsms;
export let server: ApiServer;
export let api: ApiConnection;
export let client: ApiClient<typeof authV1.AuthServiceDefinition>;

export const upgrade = (id: string, protocol: string, password: string) =>
  rawUpgrade(csms.port, `/ocpp/${id}`, {
    'Sec-WebSocket-Protocol': protocol,
    Authorization: basicAuth(id, password),
  });

export async function booted16Station(id = uniqueId('AUTH16'), password?: string): Promise<Station16> {
  const cp = await connect16(csms, { id, ...(password !== undefined ? { password } : {}) });
  expect((await booted16(cp)).status).toBe('Accepted');
  return cp;
}

export async function booted201Station(id = uniqueId('AUTH201'), password?: string): Promise<Station201> {
  const cs = await connect201(csms, { id, ...(password !== undefined ? { password } : {}) });
  expect((await booted201(cs)).status).toBe('Accepted');
  return cs;
}

/** Registers the set-up and tear-down hooks of a test file that uses these helpers. */
export function useAuthApi(): void {
  beforeAll(async () => {
    const seed = [
      'stations:',
      ...PW_STATIONS_16.map((id) => `  - { id: ${id}, password: "${PASSWORD16}", securityProfile: 1 }`),
      ...PW_STATIONS_201.map((id) => `  - { id: ${id}, password: "${PASSWORD201}", securityProfile: 1 }`),
      '',
    ].join('\n');
    csms = await startTestCsms({ seed });
    const logger = createLogger({ service: 'auth-api-test', level: 'silent' });
    server = await startApiServer({ host: '127.0.0.1', port: 0, auth: { kind: 'none' }, logger }, [
      createAuthService({ db: csms.database.db, stations: csms.stations, logger }),
    ]);
    api = connectApi({ address: `127.0.0.1:${server.port}` });
    client = api.client(authV1.AuthServiceDefinition);
  });
  afterAll(async () => {
    api.close();
    await server.stop();
    await csms.close();
  });
}
