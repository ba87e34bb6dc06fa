import type { Kysely } from 'kysely';
import { queryTemplate } from '../query-template.js';
import type { Database } from '../schema.js';
import type { ChargingProfileRow } from './schema.js';

/**
 * The charging profiles stations accepted (`charging_profiles`): stored when the station accepts a
 * SetChargingProfile, deleted when it clears them or when their transaction ends.
 */

/** A profile a station accepted, with the fields the store filters on. */
export interface AcceptedProfile {
  readonly stationId: string;
  readonly evseId: number;
  readonly ocppVersion: 'ocpp1.6' | 'ocpp2.0.1';
  readonly profileId: number;
  /** The OCPP chargingProfilePurpose (1.6 or 2.0.1 name, checked by the smart-charging service). */
  readonly purpose: string;
  readonly stackLevel: number;
  readonly transactionId: string | undefined;
  readonly validFrom: Date | undefined;
  readonly validTo: Date | undefined;
  /** The OCPP payload as sent (1.6 csChargingProfiles / 2.0.1 chargingProfile). */
  readonly payload: Record<string, unknown>;
}

/** Which stored profiles a ClearChargingProfile matched: one id, or criteria combined with AND. */
export type ProfileSelector =
  | { readonly profileId: number }
  | { readonly evseId?: number; readonly purpose?: string; readonly stackLevel?: number };

export interface ProfileFilter {
  readonly evseId?: number;
  readonly purpose?: string;
  readonly stackLevel?: number;
  /** Only these profile ids (none when empty). */
  readonly profileIds?: readonly number[];
}

/**
 * Stores a profile the station accepted. It replaces the stored profile with the same id (K01.FR.05,
 * 1.6 §5.16.3); for OCPP 1.6 also one with the same stack level and purpose on the same connector,
 * because a 1.6 Charge Point replaces that one too (1.6 §5.16.3, §5.16.4).
 */
export async function saveAcceptedProfile(db: Kysely<Database>, profile: AcceptedProfile): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx
      .deleteFrom('charging_profiles')
      .where('station_id', '=', profile.stationId)
      .where((eb) => {
        const sameId = eb('profile_id', '=', profile.profileId);
        if (profile.ocppVersion !== 'ocpp1.6') return sameId;
        return eb.or([
          sameId,
          eb.and([
            eb('evse_id', '=', profile.evseId),
            eb('purpose', '=', profile.purpose),
            eb('stack_level', '=', profile.stackLevel),
          ]),
        ]);
      })
      .execute();
    await tx
      .insertInto('charging_profiles')
      .values({
        station_id: profile.stationId,
        profile_id: profile.profileId,
        evse_id: profile.evseId,
        purpose: profile.purpose,
        stack_level: profile.stackLevel,
        transaction_id: profile.transactionId ?? null,
        valid_from: profile.validFrom ?? null,
        valid_to: profile.validTo ?? null,
        ocpp_version: profile.ocppVersion,
        profile: JSON.stringify(profile.payload),
      })
      .execute();
  });
}

/**
 * The id of a stored profile (with another id) the new one may not coexist with on an OCPP 2.0.1
 * station: same stack level, purpose and EVSE with an overlapping validity period (K01.FR.06), or,
 * for a TxProfile, same stack level and transaction (K01.FR.39).
 */
export async function findConflictingProfile(
  db: Kysely<Database>,
  profile: Omit<AcceptedProfile, 'payload' | 'ocppVersion'>,
): Promise<number | undefined> {
  let query = db
    .selectFrom('charging_profiles')
    .select(['profile_id', 'valid_from', 'valid_to'])
    .where('station_id', '=', profile.stationId)
    .where('profile_id', '<>', profile.profileId)
    .where('purpose', '=', profile.purpose)
    .where('stack_level', '=', profile.stackLevel);
  query =
    profile.purpose === 'TxProfile'
      ? query.where('transaction_id', '=', profile.transactionId ?? '')
      : query.where('evse_id', '=', profile.evseId);
  const rows = await query.orderBy('profile_id').execute();
  if (profile.purpose === 'TxProfile') return rows[0]?.profile_id;
  // Validity is [valid_from, valid_to), unbounded where absent (K01.FR.10, K01.FR.36, K01.FR.37).
  const from = profile.validFrom?.getTime() ?? -Infinity;
  const to = profile.validTo?.getTime() ?? Infinity;
  return rows.find((row) => {
    const rowFrom = row.valid_from ? new Date(row.valid_from).getTime() : -Infinity;
    const rowTo = row.valid_to ? new Date(row.valid_to).getTime() : Infinity;
    return rowFrom < to && from < rowTo;
  })?.profile_id;
}

/** Stored profiles of a station matching `filter`, ordered by profile id, after `afterId`. */
export async function listStoredProfiles(
  db: Kysely<Database>,
  stationId: string,
  filter: ProfileFilter,
  afterId: number | undefined,
  limit: number,
): Promise<ChargingProfileRow[]> {
  let query = db.selectFrom('charging_profiles').selectAll().where('station_id', '=', stationId);
  if (filter.evseId !== undefined) query = query.where('evse_id', '=', filter.evseId);
  if (filter.purpose !== undefined) query = query.where('purpose', '=', filter.purpose);
  if (filter.stackLevel !== undefined) query = query.where('stack_level', '=', filter.stackLevel);
  if (filter.profileIds !== undefined) {
    if (filter.profileIds.length === 0) return [];
    query = query.where('profile_id', 'in', filter.profileIds);
  }
  if (afterId !== undefined) query = query.where('profile_id', '>', afterId);
  return query.orderBy('profile_id').limit(limit).execute();
}

/** Deletes the stored profiles a station cleared; returns how many. */
export async function deleteStoredProfiles(
  db: Kysely<Database>,
  stationId: string,
  selector: ProfileSelector,
): Promise<number> {
  let query = db.deleteFrom('charging_profiles').where('station_id', '=', stationId);
  if ('profileId' in selector) query = query.where('profile_id', '=', selector.profileId);
  else {
    if (selector.evseId !== undefined) query = query.where('evse_id', '=', selector.evseId);
    if (selector.purpose !== undefined) query = query.where('purpose', '=', selector.purpose);
    if (selector.stackLevel !== undefined) query = query.where('stack_level', '=', selector.stackLevel);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Forgets the TxProfiles of a transaction that ended, in the database transaction that records its end: the
 * station deletes them then (OCPP 2.0.1 K02.FR.05 "After the transaction is stopped, the TxProfile SHALL be
 * deleted"; OCPP 1.6 §3.13.2 "After the transaction is stopped, the profile SHOULD be deleted"), so the
 * profiles the CSMS lists must not keep them. Stored TxProfiles always name their transaction: the
 * smart-charging API requires it (K01.FR.03). `transactionId` is the OCPP one (1.6: the integer as text).
 */
export async function deleteEndedTxProfiles(
  db: Kysely<Database>,
  stationId: string,
  transactionId: string,
): Promise<void> {
  // Nothing reads the count: a deferred write, leaving with the transaction's next statement or its commit.
  await endedTxProfilesDelete.defer(db, { stationId, transactionId });
}

/** {@link deleteEndedTxProfiles}' statement, compiled once (every transaction's end runs it). */
const endedTxProfilesDelete = queryTemplate((db, p: { stationId: string; transactionId: string }) =>
  db
    .deleteFrom('charging_profiles')
    .where('station_id', '=', p.stationId)
    .where('purpose', '=', 'TxProfile')
    .where('transaction_id', '=', p.transactionId),
);
