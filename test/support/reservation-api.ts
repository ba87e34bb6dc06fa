/**
 * Set-up shared by the reservation scenario tests (`test/scenarios/v16-reservations.test.ts`,
 * `v201-reservations.test.ts`): a whole embedded CSMS on PostgreSQL, a client of its ReservationService (served by
 * the embedded process itself) and the station events of a reservation. The `let` bindings are live: each test file
 * that calls {@link useReservationApi} gets its own (vitest runs every file in its own module graph).
 */
import { Subjects } from '@csms/bus';
import { findReservation, type ReservationRow } from '@csms/db';
import { connectApi, reservationV1 as api, type ApiClient, type ApiConnection } from '@csms/grpc';
import { afterAll, beforeAll } from 'vitest';
import { startTestCsms, type TestCsms } from './csms.js';

export const { ReservationStatus: RS } = api;

export let csms: TestCsms;
export let connection: ApiConnection;
export let client: ApiClient<typeof api.ReservationServiceDefinition>;

/** Registers the set-up and tear-down hooks of a test file that uses these helpers. */
export function useReservationApi(): void {
  beforeAll(async () => {
    csms = await startTestCsms({ database: 'postgres' });
    connection = connectApi({ address: csms.grpcAddress });
    client = connection.client(api.ReservationServiceDefinition);
  });
  afterAll(async () => {
    connection.close();
    await csms.close();
  });
}

/** Whole seconds, as a station echoes them. */
export function inMinutes(minutes: number): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000 + minutes * 60_000);
}

/** The station's stored reservation with that id (the active one, else the latest). */
export function stored(stationId: string, reservationId: number): Promise<ReservationRow | undefined> {
  return findReservation(csms.database.db, stationId, reservationId);
}

/** Collects the station's `reservation-created` and `reservation-ended` events, in order. */
export async function reservationEvents(stationId: string): Promise<Record<string, unknown>[]> {
  const events: Record<string, unknown>[] = [];
  for (const type of ['reservation-created', 'reservation-ended'])
    await csms.bus.subscribe<Record<string, unknown>>(Subjects.event(stationId, type), (m) => {
      events.push({ type, ...m.data });
    });
  return events;
}
