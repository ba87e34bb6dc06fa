import type { CommandOutcome } from '@csms/bus';
import type { CampaignStationStatus } from '@csms/db';
import type { CampaignPlan } from './campaign-parameters.js';

/** The OCPP call a campaign sends to one station. */
export interface StationCall {
  readonly action: 'UpdateFirmware' | 'SignedUpdateFirmware' | 'GetLog' | 'GetDiagnostics';
  readonly payload: Record<string, unknown>;
  /** Whether the payload carries the requestId (and notifications echo it). */
  readonly usesRequestId: boolean;
}

/**
 * Builds the call for a station of `version` ("ocpp1.6" / "ocpp2.0.1"), or says why there is none.
 * 2.0.1: UpdateFirmware (L01) / GetLog (N01). 1.6: UpdateFirmware (§5.19), or SignedUpdateFirmware
 * (security whitepaper L01) when signed; GetDiagnostics (§5.8) for the diagnostics log, GetLog
 * (whitepaper N01) for the security log.
 */
export function stationCallFor(
  plan: CampaignPlan,
  version: string | null,
  requestId: number,
): StationCall | { readonly error: string } {
  if (version !== 'ocpp1.6' && version !== 'ocpp2.0.1')
    return {
      error:
        version === null
          ? 'unknown OCPP version (the station never connected)'
          : `unsupported OCPP version ${version}`,
    };
  const retry = (p: { retries?: number; retryIntervalSeconds?: number }) => ({
    ...(p.retries !== undefined ? { retries: p.retries } : {}),
    ...(p.retryIntervalSeconds !== undefined ? { retryInterval: p.retryIntervalSeconds } : {}),
  });
  if (plan.kind === 'firmware_update') {
    const p = plan.parameters;
    if (version === 'ocpp1.6' && p.signature === undefined)
      return {
        action: 'UpdateFirmware',
        payload: { location: p.location, retrieveDate: p.retrieveTime, ...retry(p) },
        usesRequestId: false,
      };
    const firmware = {
      location: p.location,
      retrieveDateTime: p.retrieveTime,
      ...(p.installTime !== undefined ? { installDateTime: p.installTime } : {}),
      ...(p.signingCertificate !== undefined ? { signingCertificate: p.signingCertificate } : {}),
      ...(p.signature !== undefined ? { signature: p.signature } : {}),
    };
    return {
      action: version === 'ocpp1.6' ? 'SignedUpdateFirmware' : 'UpdateFirmware',
      payload: { requestId, firmware, ...retry(p) },
      usesRequestId: true,
    };
  }
  const p = plan.parameters;
  if (version === 'ocpp1.6' && p.logType === 'diagnostics')
    return {
      action: 'GetDiagnostics',
      payload: {
        location: p.remoteLocation,
        ...retry(p),
        ...(p.oldestTime !== undefined ? { startTime: p.oldestTime } : {}),
        ...(p.latestTime !== undefined ? { stopTime: p.latestTime } : {}),
      },
      usesRequestId: false,
    };
  return {
    action: 'GetLog',
    payload: {
      logType: p.logType === 'diagnostics' ? 'DiagnosticsLog' : 'SecurityLog',
      requestId,
      ...retry(p),
      log: {
        remoteLocation: p.remoteLocation,
        ...(p.oldestTime !== undefined ? { oldestTimestamp: p.oldestTime } : {}),
        ...(p.latestTime !== undefined ? { latestTimestamp: p.latestTime } : {}),
      },
    },
    usesRequestId: true,
  };
}

/** Where a station stands after the answer to its call. */
export interface CallVerdict {
  readonly status: CampaignStationStatus;
  readonly reason: string | null;
  readonly filename: string | null;
}

/** The answer by which a station says it canceled its command in progress to take the new one. */
export const ACCEPTED_CANCELED = 'AcceptedCanceled';

/**
 * The actions of the commands a new one of `action` supersedes when the station answers it AcceptedCanceled:
 * any firmware update (2.0.1 L01.FR.24 / L02.FR.15, 1.6 whitepaper L01.FR.26; a station runs one at a time),
 * an earlier GetLog (2.0.1 N01.FR.12, 1.6 whitepaper N01.FR.11; not a 1.6 GetDiagnostics, whose upload the
 * station may run besides).
 */
export function supersededActions(action: string): readonly string[] {
  if (action === 'UpdateFirmware' || action === 'SignedUpdateFirmware')
    return ['UpdateFirmware', 'SignedUpdateFirmware'];
  if (action === 'GetLog') return ['GetLog'];
  return [];
}

/** The reason stored on a row its station canceled for a newer command (names that command). */
export function supersededReason(newer: {
  readonly action: string | null;
  readonly requestId: number | null;
  readonly campaignId: string;
}): string {
  const request = newer.requestId === null ? '' : ` requestId ${newer.requestId}`;
  return `${ACCEPTED_CANCELED}: the station canceled it for ${newer.action ?? 'a newer command'}${request} (campaign ${newer.campaignId})`;
}

/** Reads the station's answer (or why there was none) into the station's campaign status. */
export function verdictOf(action: StationCall['action'], outcome: CommandOutcome): CallVerdict {
  const verdict = (status: CampaignStationStatus, reason: string | null, filename: string | null = null) => ({
    status,
    reason,
    filename,
  });
  switch (outcome.status) {
    case 'result': {
      const payload = outcome.payload;
      if (action === 'GetDiagnostics') {
        // 1.6 §6.x GetDiagnostics.conf: fileName is absent when no diagnostics are available, and then
        // no upload (and no DiagnosticsStatusNotification) follows.
        const fileName = typeof payload.fileName === 'string' ? payload.fileName : null;
        return fileName === null
          ? verdict('failed', 'no diagnostics available (GetDiagnostics answered without fileName)')
          : verdict('accepted', null, fileName);
      }
      // 1.6 UpdateFirmware.conf is empty: the station always takes it.
      if (action === 'UpdateFirmware' && payload.status === undefined) return verdict('accepted', null);
      const status = typeof payload.status === 'string' ? payload.status : 'missing status';
      const filename = typeof payload.filename === 'string' ? payload.filename : null;
      if (status === 'Accepted') return verdict('accepted', null, filename);
      // AcceptedCanceled: accepted, and the update / upload in progress on the station was canceled (the
      // runner ends its row, see supersededActions).
      if (status === ACCEPTED_CANCELED) return verdict('accepted', status, filename);
      return verdict('rejected', status, filename);
    }
    case 'offline':
      return verdict('offline', 'the station is not connected');
    case 'disconnected':
      // It saw the command and may have acted on it: not retried as "offline" would be.
      return verdict('failed', `the station disconnected before answering ${action}`);
    case 'call-error':
      return verdict('failed', `CALLERROR ${outcome.code}: ${outcome.description}`);
    case 'invalid-request':
      return verdict('failed', `invalid ${action} request: ${outcome.description}`);
    case 'invalid-response':
      return verdict('failed', `invalid ${action} answer: ${outcome.description}`);
    case 'timeout':
      return verdict('failed', `no answer to ${action} in time`);
    case 'refused':
      return verdict('failed', `refused (${outcome.reason}): ${outcome.description}`);
    case 'not-supported':
      return verdict('failed', `not supported: ${outcome.description}`);
    case 'queued':
      // Campaigns never ask for queueing; should it happen, the command is kept for later delivery.
      return verdict('failed', `queued as ${outcome.commandId} instead of sent`);
    default:
      return verdict('failed', 'unknown outcome');
  }
}
