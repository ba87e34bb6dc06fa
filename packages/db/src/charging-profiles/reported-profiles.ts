import type { PrunedTable } from '../prune-batch.js';
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { ReportedChargingProfileRow } from './schema.js';

/**
 * The charging profiles OCPP 2.0.1 stations report (`reported_charging_profiles`): what a station says it has
 * installed, in answer to a GetChargingProfilesRequest (K09). Kept as reported, apart from the profiles the
 * CSMS installed itself (`charging_profiles`, profiles.ts): a report never changes that set.
 */

/** One ReportChargingProfilesRequest as a station sent it. */
export interface ReportedProfilesPart {
  readonly stationId: string;
  readonly requestId: number;
  readonly evseId: number;
  /** OCPP ChargingLimitSourceEnumType: CSO, EMS, SO or Other. */
  readonly chargingLimitSource: string;
  /** The reported 2.0.1 ChargingProfileTypes, as sent (stored as JSON; `id` is copied to `profile_id`). */
  readonly profiles: readonly { readonly id: number }[];
  /** More parts follow (K09.FR.02). */
  readonly tbc: boolean;
  /** The CALL's message id: a retry of the same CALL (same message id and payload) is stored once. */
  readonly messageId: string;
  /** When the CSMS received it (default: the database's now). */
  readonly receivedAt?: Date;
}

/**
 * Stores a ReportChargingProfilesRequest, one row per profile; run it in the CALL's transaction (it reads, then
 * writes). A retried CALL is a no-op. A part for a requestId whose report already ended (a stored part with tbc
 * false) starts a new report for that requestId: the old one is deleted, so a reused requestId reads as the
 * station's latest answer, not a mix. Returns true when stored.
 */
export async function storeReportedProfiles(
  db: Kysely<Database>,
  part: ReportedProfilesPart,
): Promise<boolean> {
  const dedupeKey = createHash('sha256')
    .update(
      [
        part.messageId,
        part.requestId,
        part.evseId,
        part.chargingLimitSource,
        part.tbc,
        JSON.stringify(part.profiles),
      ].join('\u0000'),
    )
    .digest('base64url');
  const seen = await db
    .selectFrom('reported_charging_profiles')
    .select('id')
    .where('station_id', '=', part.stationId)
    .where('dedupe_key', '=', dedupeKey)
    .limit(1)
    .executeTakeFirst();
  if (seen) return false;
  const ofRequest = db
    .deleteFrom('reported_charging_profiles')
    .where('station_id', '=', part.stationId)
    .where('request_id', '=', part.requestId);
  await ofRequest
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('reported_charging_profiles as ended')
          .select('ended.id')
          .where('ended.station_id', '=', part.stationId)
          .where('ended.request_id', '=', part.requestId)
          .where('ended.tbc', '=', false),
      ),
    )
    .execute();
  await db
    .insertInto('reported_charging_profiles')
    .values(
      part.profiles.map((profile, position) => ({
        station_id: part.stationId,
        request_id: part.requestId,
        evse_id: part.evseId,
        charging_limit_source: part.chargingLimitSource,
        profile_id: profile.id,
        profile: JSON.stringify(profile),
        tbc: part.tbc,
        dedupe_key: dedupeKey,
        position,
        ...(part.receivedAt ? { received_at: part.receivedAt } : {}),
      })),
    )
    .execute();
  return true;
}

/** What a station reported so far for one requestId. */
export interface ChargingProfilesReport {
  /** The part with tbc false arrived (K09.FR.02): the report is whole. */
  readonly complete: boolean;
  /** The reported profiles, in the order they arrived. */
  readonly profiles: readonly ReportedChargingProfileRow[];
}

/** The profiles a station reported for `requestId` (its latest report for that id), in the order received. */
export async function findChargingProfilesReport(
  db: Kysely<Database>,
  stationId: string,
  requestId: number,
): Promise<ChargingProfilesReport> {
  const profiles = await db
    .selectFrom('reported_charging_profiles')
    .selectAll()
    .where('station_id', '=', stationId)
    .where('request_id', '=', requestId)
    .orderBy('id')
    .execute();
  return { complete: profiles.some((p) => !p.tbc), profiles };
}

/** Whether a station reported anything for `requestId` (to pick a requestId not in use). */
export async function hasChargingProfilesReport(
  db: Kysely<Database>,
  stationId: string,
  requestId: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('reported_charging_profiles')
    .select('id')
    .where('station_id', '=', stationId)
    .where('request_id', '=', requestId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** History of this domain the retention sweep prunes: old ReportChargingProfiles parts (K09). */
export const REPORTED_PROFILE_HISTORY: readonly PrunedTable[] = [
  { table: 'reported_charging_profiles', column: 'received_at' },
];
