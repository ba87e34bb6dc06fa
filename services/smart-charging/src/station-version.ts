import { findStation, type Database, type Kysely } from '@csms/db';
import { ApiErrors } from '@csms/grpc';

export type SmartChargingVersion = 'ocpp1.6' | 'ocpp2.0.1';

/** Rejects an empty station id (INVALID_ARGUMENT) before any lookup. */
export function requireStationId(stationId: string): void {
  if (stationId === '')
    throw ApiErrors.invalidArgument('station_id is required', [
      { field: 'station_id', description: 'required' },
    ]);
}

/**
 * The OCPP version a station's profiles are converted for: the version it last booted with
 * (stations.ocpp_version). NOT_FOUND for an unregistered station; FAILED_PRECONDITION when it never
 * booted (OCPP_VERSION_UNKNOWN) or speaks a version this service does not convert for.
 */
export async function stationVersion(db: Kysely<Database>, stationId: string): Promise<SmartChargingVersion> {
  requireStationId(stationId);
  const station = await findStation(db, stationId);
  if (!station) throw ApiErrors.notFound('station', stationId);
  const version = station.ocpp_version;
  if (version === 'ocpp1.6' || version === 'ocpp2.0.1') return version;
  if (version === null)
    throw ApiErrors.failedPrecondition(
      'OCPP_VERSION_UNKNOWN',
      `station ${stationId} has not booted yet: its OCPP version is not known`,
      { stationId },
    );
  throw ApiErrors.failedPrecondition(
    'OCPP_VERSION_UNSUPPORTED',
    `station ${stationId} speaks ${version}, smart charging supports ocpp1.6 and ocpp2.0.1`,
    { stationId, ocppVersion: version },
  );
}
