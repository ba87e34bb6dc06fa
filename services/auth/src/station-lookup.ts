import { findStation, type Database, type Kysely, type StationRow } from '@csms/db';
import { ApiErrors } from '@csms/grpc';
import { checkStationId, Violations } from './validation.js';

export type OcppVersion = 'ocpp1.6' | 'ocpp2.0.1';

/** The registered station, or NOT_FOUND (INVALID_ARGUMENT for a malformed id). */
export async function existingStation(db: Kysely<Database>, stationId: string): Promise<StationRow> {
  const v = new Violations();
  checkStationId(v, 'station_id', stationId);
  v.throwIfAny('invalid station id');
  const row = await findStation(db, stationId);
  if (!row) throw ApiErrors.notFound('station', stationId);
  return row;
}

/**
 * The OCPP version a station last booted with, which decides the messages it gets. A station that never
 * connected has none and cannot be sent anything: UNAVAILABLE (STATION_OFFLINE), as for an offline one.
 */
export function versionOf(station: StationRow): OcppVersion {
  if (station.ocpp_version === 'ocpp1.6' || station.ocpp_version === 'ocpp2.0.1') return station.ocpp_version;
  throw ApiErrors.unavailable('STATION_OFFLINE', `station ${station.id} has never connected`, {
    stationId: station.id,
  });
}
