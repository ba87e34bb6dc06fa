import { findStationOcppVersion, type Database, type Kysely } from '@csms/db';
import { requireOcppVersion, requireStationId } from '@csms/grpc';

export type SmartChargingVersion = 'ocpp1.6' | 'ocpp2.0.1';

const SUPPORTED: readonly SmartChargingVersion[] = ['ocpp1.6', 'ocpp2.0.1'];

/**
 * The OCPP version a station's profiles are converted for: the version it last booted with. NOT_FOUND
 * for an unregistered station; FAILED_PRECONDITION when it never booted (OCPP_VERSION_UNKNOWN) or speaks
 * a version this service does not convert for (OCPP_VERSION_UNSUPPORTED): `requireOcppVersion`.
 */
export async function stationVersion(db: Kysely<Database>, stationId: string): Promise<SmartChargingVersion> {
  requireStationId(stationId);
  return requireOcppVersion(stationId, await findStationOcppVersion(db, stationId), SUPPORTED);
}
