import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

export interface ConnectorStatusInput {
  readonly stationId: string;
  readonly evseId: number;
  readonly connectorId: number;
  readonly status: string;
  readonly errorCode?: string | undefined;
  readonly info?: string | undefined;
  readonly vendorId?: string | undefined;
  readonly vendorErrorCode?: string | undefined;
  /** When the station says the status took effect. */
  readonly at: Date;
}

/**
 * Records a connector's status. A status older than the stored one (a queued message delivered late)
 * does not overwrite the newer one. Returns true when the stored status changed.
 */
export async function upsertConnectorStatus(db: Kysely<Database>, s: ConnectorStatusInput): Promise<boolean> {
  const values = {
    status: s.status,
    error_code: s.errorCode ?? null,
    info: s.info ?? null,
    vendor_id: s.vendorId ?? null,
    vendor_error_code: s.vendorErrorCode ?? null,
    status_at: s.at,
  };
  const r = await db
    .insertInto('connectors')
    .values({ station_id: s.stationId, evse_id: s.evseId, connector_id: s.connectorId, ...values })
    .onConflict((oc) =>
      oc
        .columns(['station_id', 'evse_id', 'connector_id'])
        .doUpdateSet({ ...values, updated_at: sql<Date>`now()` })
        .where('connectors.status_at', '<=', s.at),
    )
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** The stored status and error code of one connector, if it reported any. */
export function findConnectorStatus(
  db: Kysely<Database>,
  stationId: string,
  evseId: number,
  connectorId: number,
): Promise<{ status: string; error_code: string | null } | undefined> {
  return db
    .selectFrom('connectors')
    .select(['status', 'error_code'])
    .where('station_id', '=', stationId)
    .where('evse_id', '=', evseId)
    .where('connector_id', '=', connectorId)
    .executeTakeFirst();
}
