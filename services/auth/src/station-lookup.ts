import { findStation, type Database, type Kysely, type StationRow } from '@csms/db';
import { ApiErrors, RequestViolations, requireOcppVersion } from '@csms/grpc';

export type OcppVersion = 'ocpp1.6' | 'ocpp2.0.1';

/** The registered station, or NOT_FOUND (INVALID_ARGUMENT for a malformed id). */
export async function existingStation(db: Kysely<Database>, stationId: string): Promise<StationRow> {
  const v = new RequestViolations();
  v.stationId('station_id', stationId);
  v.throwIfAny('invalid station id');
  const row = await findStation(db, stationId);
  if (!row) throw ApiErrors.notFound('station', stationId);
  return row;
}

/** The OCPP versions whose messages this service sends (local lists, password rotation). */
const SUPPORTED: readonly OcppVersion[] = ['ocpp1.6', 'ocpp2.0.1'];

/**
 * The OCPP version a station last booted with, which decides the messages it gets. A station that never
 * booted has none: FAILED_PRECONDITION (OCPP_VERSION_UNKNOWN), as in every API (`requireOcppVersion`).
 */
export function versionOf(station: StationRow): OcppVersion {
  return requireOcppVersion(station.id, station.ocpp_version, SUPPORTED);
}
