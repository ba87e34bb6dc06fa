import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../schema.js';
import type { StationCertificateStatus, StationCertificatesTable } from './schema.js';

/**
 * The certificates the CSMS's CA issued to stations (`station_certificates`). The station's actor records an issue
 * in the transaction of the SignCertificate CALL that led to it (with the CertificateSigned it queues), and the
 * station's answer to CertificateSigned; the operator API lists and revokes; the renewal scheduler claims the ones
 * about to expire. Every transition is a conditional update on the current status.
 */

export type StationCertificateRow = Selectable<StationCertificatesTable>;

/** A certificate just issued. */
export interface IssuedCertificate {
  readonly stationId: string;
  readonly certificateType: string;
  readonly serialNumber: string;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly fingerprint: string;
  readonly certificateChain: string;
  readonly signer: string;
}

/** Records an issued certificate (status `issued`). */
export async function recordIssuedCertificate(
  db: Kysely<Database>,
  issued: IssuedCertificate,
): Promise<StationCertificateRow> {
  return db
    .insertInto('station_certificates')
    .values({
      station_id: issued.stationId,
      certificate_type: issued.certificateType,
      serial_number: issued.serialNumber,
      subject: issued.subject,
      issuer: issued.issuer,
      not_before: issued.notBefore,
      not_after: issued.notAfter,
      fingerprint: issued.fingerprint,
      certificate_chain: issued.certificateChain,
      signer: issued.signer,
      status: 'issued',
      status_changed_at: sql<Date>`now()`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Records the station's answer to CertificateSigned for the certificate with `fingerprint`: `installed` when it
 * accepted, `rejected` when not (A02.FR.07). Only an `issued` row changes (a repeated answer or a revoked
 * certificate stays as it is). Resolves with the row when it changed.
 */
export async function recordCertificateAnswer(
  db: Kysely<Database>,
  stationId: string,
  fingerprint: string,
  accepted: boolean,
): Promise<StationCertificateRow | undefined> {
  return db
    .updateTable('station_certificates')
    .set({ status: accepted ? 'installed' : 'rejected', status_changed_at: sql<Date>`now()` })
    .where('station_id', '=', stationId)
    .where('fingerprint', '=', fingerprint)
    .where('status', '=', 'issued')
    .returningAll()
    .executeTakeFirst();
}

/** A page of issued certificates, newest first. */
export interface CertificateQuery {
  readonly stationId?: string | undefined;
  readonly status?: StationCertificateStatus | undefined;
  /** Rows with an id below it (the previous page's last id). */
  readonly beforeId?: string | undefined;
  readonly limit: number;
}

export async function listStationCertificates(
  db: Kysely<Database>,
  query: CertificateQuery,
): Promise<StationCertificateRow[]> {
  let q = db.selectFrom('station_certificates').selectAll();
  if (query.stationId !== undefined) q = q.where('station_id', '=', query.stationId);
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  if (query.beforeId !== undefined) q = q.where('id', '<', query.beforeId);
  return q.orderBy('id', 'desc').limit(query.limit).execute();
}

/**
 * Revokes a station's certificate by serial number (not `rejected` ones: the station never used those). Resolves with
 * the row when it changed, `undefined` when the station has no such certificate or it was revoked already.
 */
export async function revokeStationCertificate(
  db: Kysely<Database>,
  stationId: string,
  serialNumber: string,
): Promise<StationCertificateRow | undefined> {
  return db
    .updateTable('station_certificates')
    .set({ status: 'revoked', status_changed_at: sql<Date>`now()` })
    .where('station_id', '=', stationId)
    .where('serial_number', '=', serialNumber.toUpperCase())
    .where('status', 'in', ['issued', 'installed'])
    .returningAll()
    .executeTakeFirst();
}

/** Whether the certificate with `fingerprint` was issued to a station and revoked since (checked at profile-3 upgrades). */
export async function isCertificateRevoked(db: Kysely<Database>, fingerprint: string): Promise<boolean> {
  const row = await db
    .selectFrom('station_certificates')
    .select('id')
    .where('fingerprint', '=', fingerprint)
    .where('status', '=', 'revoked')
    .executeTakeFirst();
  return row !== undefined;
}

/** What the renewal scheduler looks for. */
export interface RenewalQuery {
  /** Installed certificates that expire before it. */
  readonly expiringBefore: Date;
  /** ... and whose renewal was not requested after it (a request that led nowhere is repeated). */
  readonly requestedBefore: Date;
  readonly limit: number;
}

/**
 * Installed certificates due for renewal: expiring before `expiringBefore`, with no newer certificate of the same
 * station and type issued or installed since (the renewal happened), and no renewal requested after
 * `requestedBefore`. Oldest expiry first.
 */
export async function certificatesDueForRenewal(
  db: Kysely<Database>,
  query: RenewalQuery,
): Promise<StationCertificateRow[]> {
  return db
    .selectFrom('station_certificates as c')
    .selectAll('c')
    .where('c.status', '=', 'installed')
    .where('c.not_after', '<', query.expiringBefore)
    .where((eb) =>
      eb.or([
        eb('c.renewal_requested_at', 'is', null),
        eb('c.renewal_requested_at', '<', query.requestedBefore),
      ]),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('station_certificates as n')
            .select('n.id')
            .whereRef('n.station_id', '=', 'c.station_id')
            .whereRef('n.certificate_type', '=', 'c.certificate_type')
            .whereRef('n.id', '>', 'c.id')
            .where('n.status', 'in', ['issued', 'installed']),
        ),
      ),
    )
    .orderBy('c.not_after')
    .limit(query.limit)
    .execute();
}

/**
 * Claims the renewal of a certificate: true for the one caller (of several scheduler replicas) whose conditional
 * update found it not requested since `requestedBefore`.
 */
export async function claimCertificateRenewal(
  db: Kysely<Database>,
  id: string,
  requestedBefore: Date,
): Promise<boolean> {
  const row = await db
    .updateTable('station_certificates')
    .set({ renewal_requested_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([eb('renewal_requested_at', 'is', null), eb('renewal_requested_at', '<', requestedBefore)]),
    )
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
