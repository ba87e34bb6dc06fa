import { sql, type Kysely } from 'kysely';
import { hashPassword, verifyPassword } from './password.js';
import { queryTemplate } from '../query-template.js';
import type { Database } from '../schema.js';
import type { BootPolicy, RegistrationStatus, StationRow } from './schema.js';

/** Station registry: plain functions over a Kysely handle (kysely's repository style). */

/** The station's row (every reconnect reads it: the edge's admission and the actor's activation). */
export async function findStation(db: Kysely<Database>, id: string): Promise<StationRow | undefined> {
  return (await stationQuery.run(db, { id })).rows[0];
}

const stationQuery = queryTemplate((db, p: { id: string }) =>
  db.selectFrom('stations').selectAll().where('id', '=', p.id),
);

/** The boot information of a station that has not sent a BootNotification yet. */
const NOT_BOOTED_YET = {
  ocpp_version: null,
  vendor: null,
  model: null,
  serial_number: null,
  firmware_version: null,
  modem_iccid: null,
  modem_imsi: null,
  meter_type: null,
  meter_serial_number: null,
  registration_status: null,
  last_boot_at: null,
  last_heartbeat_at: null,
  firmware_changed_at: null,
} as const;

export interface StationRegistration {
  readonly id: string;
  /** Plain password to hash and store; undefined keeps the stored one, null removes it. */
  readonly password?: string | null;
  readonly securityProfile: 0 | 1 | 2 | 3;
  /** undefined keeps the stored policy; null means the CSMS default. */
  readonly bootPolicy?: BootPolicy | null;
}

/** Creates or updates a station's registration (idempotent: used for seeding and by operators). */
export async function upsertStation(db: Kysely<Database>, reg: StationRegistration): Promise<void> {
  const passwordHash =
    reg.password === undefined ? undefined : reg.password === null ? null : await hashPassword(reg.password);
  await db
    .insertInto('stations')
    .values({
      id: reg.id,
      password_hash: passwordHash ?? null,
      security_profile: reg.securityProfile,
      boot_policy: reg.bootPolicy ?? null,
      auto_registered: false,
      ...NOT_BOOTED_YET,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        security_profile: reg.securityProfile,
        auto_registered: false,
        ...(passwordHash !== undefined ? { password_hash: passwordHash } : {}),
        ...(reg.bootPolicy !== undefined ? { boot_policy: reg.bootPolicy } : {}),
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute();
}

/** Registers an unknown station on first contact (auto-registration); no-op if it exists. */
export async function autoRegisterStation(
  db: Kysely<Database>,
  id: string,
  securityProfile: 0 | 1 | 2 | 3,
): Promise<void> {
  await db
    .insertInto('stations')
    .values({
      id,
      password_hash: null,
      security_profile: securityProfile,
      boot_policy: null,
      auto_registered: true,
      ...NOT_BOOTED_YET,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/**
 * Replaces a station's Basic-auth password (after the station accepted the new one: OCPP 2.0.1
 * A01.FR.03 / 1.6 Security Whitepaper A01.FR.03); the old one stops working. Returns false when the
 * station is unknown.
 */
export async function setStationPassword(
  db: Kysely<Database>,
  id: string,
  password: string,
): Promise<boolean> {
  const r = await db
    .updateTable('stations')
    .set({ password_hash: await hashPassword(password), updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/**
 * Raises a station's security profile to `securityProfile` when it is lower (never lowers it: 2.0.1 A05.FR.07, the
 * station connected with the higher one). True when it changed.
 */
export async function raiseSecurityProfile(
  db: Kysely<Database>,
  id: string,
  securityProfile: number,
): Promise<boolean> {
  const r = await db
    .updateTable('stations')
    .set({ security_profile: securityProfile, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('security_profile', '<', securityProfile)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/**
 * Stores the security profile (0-3: the column's check refuses others) the station must connect with
 * from its next connection; false when the station is unknown.
 */
export async function setSecurityProfile(
  db: Kysely<Database>,
  id: string,
  securityProfile: number,
): Promise<boolean> {
  const r = await db
    .updateTable('stations')
    .set({ security_profile: securityProfile, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function setBootPolicy(
  db: Kysely<Database>,
  id: string,
  policy: BootPolicy | null,
): Promise<boolean> {
  const r = await db
    .updateTable('stations')
    .set({ boot_policy: policy, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export interface BootInfo {
  readonly ocppVersion: string;
  readonly vendor: string;
  readonly model: string;
  readonly serialNumber?: string | undefined;
  readonly firmwareVersion?: string | undefined;
  readonly modemIccid?: string | undefined;
  readonly modemImsi?: string | undefined;
  readonly meterType?: string | undefined;
  readonly meterSerialNumber?: string | undefined;
}

/**
 * Records a BootNotification in one statement (no transaction around it: the boot path is group-committed with
 * other stations' statements, which is what a reconnect storm of thousands of stations needs) and returns the
 * status the boot is answered with: the station's own `boot_policy`, else `defaultPolicy` (B01.FR.04, B02, B03;
 * 1.6 §4.2), stored as its `registration_status`. Undefined, having written nothing, for a station without a row.
 */
export async function recordBoot(
  db: Kysely<Database>,
  id: string,
  info: BootInfo,
  defaultPolicy: BootPolicy,
  at: Date,
): Promise<RegistrationStatus | undefined> {
  const row = (
    await bootUpdate.run(db, {
      id,
      ocppVersion: info.ocppVersion,
      vendor: info.vendor,
      model: info.model,
      serialNumber: info.serialNumber ?? null,
      firmwareVersion: info.firmwareVersion ?? null,
      modemIccid: info.modemIccid ?? null,
      modemImsi: info.modemImsi ?? null,
      meterType: info.meterType ?? null,
      meterSerialNumber: info.meterSerialNumber ?? null,
      defaultPolicy,
      at,
    })
  ).rows[0];
  return row?.registration_status ?? undefined;
}

const bootUpdate = queryTemplate(
  (
    db,
    p: {
      id: string;
      ocppVersion: string;
      vendor: string;
      model: string;
      serialNumber: string | null;
      firmwareVersion: string | null;
      modemIccid: string | null;
      modemImsi: string | null;
      meterType: string | null;
      meterSerialNumber: string | null;
      defaultPolicy: BootPolicy;
      at: Date;
    },
  ) =>
    db
      .updateTable('stations')
      .set({
        ocpp_version: p.ocppVersion,
        vendor: p.vendor,
        model: p.model,
        serial_number: p.serialNumber,
        firmware_version: p.firmwareVersion,
        modem_iccid: p.modemIccid,
        modem_imsi: p.modemImsi,
        meter_type: p.meterType,
        meter_serial_number: p.meterSerialNumber,
        registration_status: sql<RegistrationStatus>`coalesce(boot_policy, ${p.defaultPolicy}::text)`,
        // The old values (an UPDATE's expressions read the row as it was): a boot after an earlier one that reports
        // another firmware (e.g. after L01) ends what was learned of the old one (per-message limits, see
        // station-limits).
        firmware_changed_at: sql<Date | null>`case when last_boot_at is not null and firmware_version is distinct from ${p.firmwareVersion}::text then now() else firmware_changed_at end`,
        last_boot_at: p.at,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', p.id)
      .returning('registration_status'),
);

export async function recordHeartbeat(db: Kysely<Database>, id: string, at: Date): Promise<void> {
  await heartbeatUpdate.run(db, { id, at });
}

const heartbeatUpdate = queryTemplate((db, p: { id: string; at: Date }) =>
  db.updateTable('stations').set({ last_heartbeat_at: p.at }).where('id', '=', p.id),
);

/** The outcome of checking a connecting station's credentials. */
export type CredentialCheck =
  | { readonly ok: true; readonly station: StationRow }
  | { readonly ok: false; readonly reason: 'unknown-station' | 'bad-password' | 'no-password-set' };

/** Verifies a Basic-auth password against the stored hash. */
export async function checkStationPassword(
  db: Kysely<Database>,
  id: string,
  password: string,
): Promise<CredentialCheck> {
  const station = await findStation(db, id);
  if (!station) return { ok: false, reason: 'unknown-station' };
  if (!station.password_hash) return { ok: false, reason: 'no-password-set' };
  return (await verifyPassword(password, station.password_hash))
    ? { ok: true, station }
    : { ok: false, reason: 'bad-password' };
}

/** Deletes a station and, by cascade, everything recorded about it. False when it was unknown. */
export async function deleteStation(db: Kysely<Database>, id: string): Promise<boolean> {
  const r = await db.deleteFrom('stations').where('id', '=', id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** A page of stations ordered by id, after `afterId` (exclusive), optionally only ids with a prefix. */
export async function listStations(
  db: Kysely<Database>,
  options: { readonly limit: number; readonly afterId?: string; readonly idPrefix?: string },
): Promise<StationRow[]> {
  let q = db.selectFrom('stations').selectAll().orderBy('id').limit(options.limit);
  if (options.afterId !== undefined) q = q.where('id', '>', options.afterId);
  if (options.idPrefix) {
    // LIKE with the prefix's wildcards escaped (station ids may contain '_').
    const escaped = options.idPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    q = q.where('id', 'like', `${escaped}%`);
  }
  return q.execute();
}

/**
 * Locks the station's row until the caller's transaction ends (FOR NO KEY UPDATE: rows referencing it can
 * still be inserted), serialising that transaction with the station's other such transactions, across
 * processes too. False when the station is not registered.
 */
export async function lockStation(trx: Kysely<Database>, id: string): Promise<boolean> {
  const station = await sql<{ id: string }>`
    select id from stations where id = ${id} for no key update`.execute(trx);
  return station.rows.length > 0;
}

/** Which of `ids` are registered stations. */
export async function registeredStationIds(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Set<string>> {
  const known = new Set<string>();
  // Bounded IN lists: a campaign may name any number of stations.
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await db
      .selectFrom('stations')
      .select('id')
      .where('id', 'in', ids.slice(i, i + 1000))
      .execute();
    for (const row of rows) known.add(row.id);
  }
  return known;
}
