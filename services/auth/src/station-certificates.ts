import {
  claimCertificateRenewal,
  listStationCertificates,
  revokeStationCertificate,
  type StationCertificateRow,
  type StationCertificateStatus,
} from '@csms/db';
import {
  ApiErrors,
  RequestViolations,
  ROW_ID_KEY,
  abortable,
  authV1,
  decodePageToken,
  encodePageToken,
  pageSizeOf,
  answerOf,
  type CallContext,
} from '@csms/grpc';
import type { CallOptions, StationApi } from '@csms/bus';
import type { AuthServiceDeps } from './deps.js';
import { existingStation, versionOf, type OcppVersion } from './station-lookup.js';

// The station certificates the CSMS's CA issued (the worker signs and records them, see services/worker
// station-certificates.ts): listed, renewed and revoked here.

const STATUS_OF: Readonly<Record<StationCertificateStatus, authV1.StationCertificateStatus>> = {
  issued: authV1.StationCertificateStatus.STATION_CERTIFICATE_STATUS_ISSUED,
  installed: authV1.StationCertificateStatus.STATION_CERTIFICATE_STATUS_INSTALLED,
  rejected: authV1.StationCertificateStatus.STATION_CERTIFICATE_STATUS_REJECTED,
  revoked: authV1.StationCertificateStatus.STATION_CERTIFICATE_STATUS_REVOKED,
};

function storedStatusOf(status: authV1.StationCertificateStatus): StationCertificateStatus | undefined {
  return (Object.keys(STATUS_OF) as StationCertificateStatus[]).find((s) => STATUS_OF[s] === status);
}

function toStationCertificate(row: StationCertificateRow): authV1.StationCertificate {
  return {
    stationId: row.station_id,
    certificateType: row.certificate_type,
    serialNumber: row.serial_number,
    subject: row.subject,
    issuer: row.issuer,
    notBefore: row.not_before,
    notAfter: row.not_after,
    fingerprint: row.fingerprint,
    status: STATUS_OF[row.status],
    issueTime: row.issued_at,
    statusChangeTime: row.status_changed_at,
    renewalRequestTime: row.renewal_requested_at ?? undefined,
    certificateChain: row.certificate_chain,
    signer: row.signer,
  };
}

export async function listCertificates(
  deps: Pick<AuthServiceDeps, 'db'>,
  request: authV1.ListStationCertificatesRequest,
): Promise<authV1.ListStationCertificatesResponse> {
  const v = new RequestViolations();
  if (request.stationId !== '') v.stationId('station_id', request.stationId);
  const unspecified =
    request.status === authV1.StationCertificateStatus.STATION_CERTIFICATE_STATUS_UNSPECIFIED;
  const status = unspecified ? undefined : storedStatusOf(request.status);
  if (!unspecified && status === undefined) v.add('status', 'must be a StationCertificateStatus');
  v.throwIfAny('invalid ListStationCertificates request');
  const limit = pageSizeOf(request.pageSize);
  const before = decodePageToken(request.pageToken, ROW_ID_KEY);
  const rows = await listStationCertificates(deps.db, {
    stationId: request.stationId !== '' ? request.stationId : undefined,
    status,
    beforeId: before,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    certificates: page.map(toStationCertificate),
    nextPageToken: rows.length > limit && last ? encodePageToken(last.id) : '',
  };
}

/**
 * Sends the trigger that makes a station renew its certificate (A02 step 1; 1.6 Security Whitepaper A02 uses
 * ExtendedTriggerMessage, which has no SignCertificate in plain TriggerMessage) and returns the station's answer.
 */
export async function triggerCertificateRenewal(
  stations: StationApi,
  stationId: string,
  version: OcppVersion,
  options: {
    readonly certificateType?: string;
    readonly signal?: AbortSignal;
    readonly call?: CallOptions;
  } = {},
): Promise<string> {
  const v2g = options.certificateType === 'V2GCertificate';
  const [action, payload] =
    version === 'ocpp1.6'
      ? ['ExtendedTriggerMessage', { requestedMessage: 'SignChargePointCertificate' }]
      : [
          'TriggerMessage',
          { requestedMessage: v2g ? 'SignV2GCertificate' : 'SignChargingStationCertificate' },
        ];
  const call = stations.call(stationId, action, payload, options.call);
  const outcome = await (options.signal ? abortable(call, options.signal) : call);
  const answer = answerOf(stationId, action, outcome);
  return answer.kind === 'queued' ? 'Queued' : String(answer.payload.status);
}

export async function renewCertificate(
  deps: Pick<AuthServiceDeps, 'db' | 'stations' | 'logger'>,
  request: authV1.RenewStationCertificateRequest,
  context: CallContext,
): Promise<authV1.RenewStationCertificateResponse> {
  const certificateType =
    request.certificateType === '' ? 'ChargingStationCertificate' : request.certificateType;
  const v = new RequestViolations();
  if (certificateType !== 'ChargingStationCertificate' && certificateType !== 'V2GCertificate')
    v.add('certificate_type', 'must be ChargingStationCertificate or V2GCertificate');
  v.throwIfAny('invalid RenewStationCertificate request');
  const station = await existingStation(deps.db, request.stationId);
  const version = versionOf(station);
  if (certificateType === 'V2GCertificate' && version !== 'ocpp2.0.1')
    throw ApiErrors.failedPrecondition(
      'OCPP_VERSION_UNSUPPORTED',
      `station ${station.id} speaks ${version}: V2G certificates are renewed over OCPP 2.0.1 only`,
      { stationId: station.id },
    );
  const stationStatus = await triggerCertificateRenewal(deps.stations, station.id, version, {
    certificateType,
    signal: context.signal,
  });
  // The installed certificates of that type count as renewal-requested now (the scheduler does not repeat it).
  const installed = await listStationCertificates(deps.db, {
    stationId: station.id,
    status: 'installed',
    limit: 10,
  });
  for (const row of installed)
    if (row.certificate_type === certificateType) await claimCertificateRenewal(deps.db, row.id, new Date());
  deps.logger.info({ stationId: station.id, stationStatus }, 'station certificate renewal requested');
  return { stationStatus };
}

export async function revokeCertificate(
  deps: Pick<AuthServiceDeps, 'db' | 'logger'>,
  request: authV1.RevokeStationCertificateRequest,
): Promise<authV1.RevokeStationCertificateResponse> {
  const v = new RequestViolations();
  if (!/^[0-9A-Fa-f]{1,64}$/.test(request.serialNumber))
    v.add('serial_number', 'must be 1 to 64 hexadecimal digits');
  v.throwIfAny('invalid RevokeStationCertificate request');
  const station = await existingStation(deps.db, request.stationId);
  const row = await revokeStationCertificate(deps.db, station.id, request.serialNumber);
  if (row === undefined)
    throw ApiErrors.notFound('station certificate', `${station.id}/${request.serialNumber.toUpperCase()}`);
  deps.logger.warn({ stationId: station.id, serialNumber: row.serial_number }, 'station certificate revoked');
  return { certificate: toStationCertificate(row) };
}
