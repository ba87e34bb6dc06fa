import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Which OCPP version a station speaks: the one of its last BootNotification (`stations.ocpp_version`),
 * which decides the messages the CSMS may send it. The one lookup every API uses (turned into gRPC
 * errors by `requireOcppVersion` of @csms/grpc): undefined = no such station, null = registered but
 * never booted (the version is not known yet), else the version string as stored.
 */
export async function findStationOcppVersion(
  db: Kysely<Database>,
  stationId: string,
): Promise<string | null | undefined> {
  const row = await db
    .selectFrom('stations')
    .select('ocpp_version')
    .where('id', '=', stationId)
    .executeTakeFirst();
  return row === undefined ? undefined : row.ocpp_version;
}
