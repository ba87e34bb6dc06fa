import { sql, type Kysely } from 'kysely';
import { queryTemplate } from '../query-template.js';
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

/** What {@link upsertConnectorStatus} did. */
export interface ConnectorStatusWrite {
  /** False when the stored status is newer (a queued message delivered late): nothing changed. */
  readonly stored: boolean;
  /** The status and error code stored before this write (undefined for the connector's first status). */
  readonly previous?: { readonly status: string; readonly errorCode: string | null };
}

/** The statement of {@link upsertConnectorStatus}, compiled once. */
const connectorStatusQuery = queryTemplate(
  (
    db,
    p: {
      stationId: string;
      evseId: number;
      connectorId: number;
      status: string;
      errorCode: string | null;
      info: string | null;
      vendorId: string | null;
      vendorErrorCode: string | null;
      at: Date;
    },
  ) => {
    const values = {
      status: p.status,
      error_code: p.errorCode,
      info: p.info,
      vendor_id: p.vendorId,
      vendor_error_code: p.vendorErrorCode,
      status_at: p.at,
    };
    return db
      .with('before', (qb) =>
        qb
          .selectFrom('connectors')
          .select(['status', 'error_code'])
          .where('station_id', '=', p.stationId)
          .where('evse_id', '=', p.evseId)
          .where('connector_id', '=', p.connectorId),
      )
      .insertInto('connectors')
      .values({ station_id: p.stationId, evse_id: p.evseId, connector_id: p.connectorId, ...values })
      .onConflict((oc) =>
        oc
          .columns(['station_id', 'evse_id', 'connector_id'])
          .doUpdateSet({ ...values, updated_at: sql<Date>`now()` })
          .where('connectors.status_at', '<=', p.at),
      )
      .returning((eb) => [
        eb.selectFrom('before').select('before.status').as('previous_status'),
        eb.selectFrom('before').select('before.error_code').as('previous_error_code'),
      ]);
  },
);

/**
 * Records a connector's status in one statement, which also returns the status it replaced (a CTE reads
 * the row as it was before the upsert: every part of a statement sees the same snapshot). A status older
 * than the stored one (a queued message delivered late) does not overwrite the newer one.
 */
export async function upsertConnectorStatus(
  db: Kysely<Database>,
  s: ConnectorStatusInput,
): Promise<ConnectorStatusWrite> {
  const row = (
    await connectorStatusQuery.run(db, {
      stationId: s.stationId,
      evseId: s.evseId,
      connectorId: s.connectorId,
      status: s.status,
      errorCode: s.errorCode ?? null,
      info: s.info ?? null,
      vendorId: s.vendorId ?? null,
      vendorErrorCode: s.vendorErrorCode ?? null,
      at: s.at,
    })
  ).rows[0];
  if (row === undefined) return { stored: false };
  return row.previous_status === null
    ? { stored: true }
    : { stored: true, previous: { status: row.previous_status, errorCode: row.previous_error_code ?? null } };
}

/** The EVSE ids (1.6: connector ids) a station reported a status for, ascending; 0 (the station itself) left out. */
export async function reportedEvseIds(db: Kysely<Database>, stationId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('connectors')
    .select('evse_id')
    .distinct()
    .where('station_id', '=', stationId)
    .where('evse_id', '>', 0)
    .orderBy('evse_id')
    .execute();
  return rows.map((r) => r.evse_id);
}
