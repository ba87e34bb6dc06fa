import { sql, type Database, type Kysely } from '@csms/db';
import { CallErrorResponse } from './handler.js';

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
 * Refuses negative EVSE / connector ids, and ids above the configured limit, with
 * PropertyConstraintViolation: the schemas allow any integer, and one row per claimed connector would
 * let a station grow the database at will.
 */
export function checkConnectorIds(maxId: number, ids: Readonly<Record<string, number | undefined>>): void {
  for (const [name, value] of Object.entries(ids)) {
    // Ids are numbered from 0 (the whole station) upwards (2.0.1 Part 1 §7; 1.6 connector 0).
    if (value !== undefined && value < 0) {
      throw new CallErrorResponse('PropertyConstraintViolation', `${name} ${value} must not be negative`, {
        field: name,
      });
    }
    if (value !== undefined && value > maxId) {
      throw new CallErrorResponse(
        'PropertyConstraintViolation',
        `${name} ${value} exceeds this CSMS's limit of ${maxId}`,
        {
          field: name,
          limit: maxId,
        },
      );
    }
  }
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
