import { RequestViolations, firmwareV1 } from '@csms/grpc';
import {
  DEFAULT_MAX_CONCURRENCY,
  MAX_CAMPAIGN_STATIONS,
  MAX_MAX_CONCURRENCY,
  type FirmwareParameters,
  type LogParameters,
} from './campaign-parameters.js';

/** A validated start request: distinct station ids in the order given, and the concurrency. */
export interface ValidatedStart<P> {
  readonly stationIds: readonly string[];
  readonly maxConcurrency: number;
  readonly parameters: P;
}

// OCPP 2.0.1 firmware.location / log.remoteLocation are string[0..512]; 1.6 SignedUpdateFirmware and
// GetLog use the same limits, and 2.0.1 signingCertificate [0..5500], signature [0..800].
const MAX_URI_LENGTH = 512;
const MAX_CERTIFICATE_LENGTH = 5500;
const MAX_SIGNATURE_LENGTH = 800;

export function validateFirmwareStart(
  request: firmwareV1.StartFirmwareUpdateRequest,
  now: Date,
): ValidatedStart<FirmwareParameters> {
  const violations = new RequestViolations();
  const stationIds = checkStations(request.stationIds, violations);
  const maxConcurrency = checkConcurrency(request.maxConcurrency, violations);
  const firmware = request.firmware;
  if (!firmware) {
    violations.add('firmware', 'is required');
    throw violations.error('invalid request');
  }
  checkUri('firmware.location', firmware.location, violations);
  const retrieveTime = checkTime('firmware.retrieve_time', firmware.retrieveTime, violations) ?? now;
  const installTime = checkTime('firmware.install_time', firmware.installTime, violations);
  if (installTime && installTime < retrieveTime)
    violations.add('firmware.install_time', 'must not be before retrieve_time');
  checkCount('firmware.retries', firmware.retries, violations);
  checkCount('firmware.retry_interval_seconds', firmware.retryIntervalSeconds, violations);
  // 1.6 SignedUpdateFirmware requires both; a certificate without a signature verifies nothing.
  if ((firmware.signature === '') !== (firmware.signingCertificate === ''))
    violations.add(
      firmware.signature === '' ? 'firmware.signature' : 'firmware.signing_certificate',
      'signature and signing_certificate go together: give both or neither',
    );
  if (firmware.signingCertificate.length > MAX_CERTIFICATE_LENGTH)
    violations.add('firmware.signing_certificate', `must be at most ${MAX_CERTIFICATE_LENGTH} characters`);
  if (firmware.signature.length > MAX_SIGNATURE_LENGTH)
    violations.add('firmware.signature', `must be at most ${MAX_SIGNATURE_LENGTH} characters`);
  violations.throwIfAny('invalid request');
  return {
    stationIds,
    maxConcurrency,
    parameters: {
      location: firmware.location,
      retrieveTime: retrieveTime.toISOString(),
      ...(installTime ? { installTime: installTime.toISOString() } : {}),
      ...(firmware.retries !== undefined ? { retries: firmware.retries } : {}),
      ...(firmware.retryIntervalSeconds !== undefined
        ? { retryIntervalSeconds: firmware.retryIntervalSeconds }
        : {}),
      ...(firmware.signature !== ''
        ? { signature: firmware.signature, signingCertificate: firmware.signingCertificate }
        : {}),
    },
  };
}

export function validateLogStart(request: firmwareV1.StartLogUploadRequest): ValidatedStart<LogParameters> {
  const violations = new RequestViolations();
  const stationIds = checkStations(request.stationIds, violations);
  const maxConcurrency = checkConcurrency(request.maxConcurrency, violations);
  const log = request.log;
  if (!log) {
    violations.add('log', 'is required');
    throw violations.error('invalid request');
  }
  const logType =
    log.logType === firmwareV1.LogType.LOG_TYPE_DIAGNOSTICS
      ? 'diagnostics'
      : log.logType === firmwareV1.LogType.LOG_TYPE_SECURITY
        ? 'security'
        : undefined;
  if (!logType) violations.add('log.log_type', 'must be LOG_TYPE_DIAGNOSTICS or LOG_TYPE_SECURITY');
  checkUri('log.remote_location', log.remoteLocation, violations);
  const oldest = checkTime('log.oldest_time', log.oldestTime, violations);
  const latest = checkTime('log.latest_time', log.latestTime, violations);
  if (oldest && latest && latest < oldest)
    violations.add('log.latest_time', 'must not be before oldest_time');
  checkCount('log.retries', log.retries, violations);
  checkCount('log.retry_interval_seconds', log.retryIntervalSeconds, violations);
  if (!violations.empty || !logType) throw violations.error('invalid request');
  return {
    stationIds,
    maxConcurrency,
    parameters: {
      logType,
      remoteLocation: log.remoteLocation,
      ...(oldest ? { oldestTime: oldest.toISOString() } : {}),
      ...(latest ? { latestTime: latest.toISOString() } : {}),
      ...(log.retries !== undefined ? { retries: log.retries } : {}),
      ...(log.retryIntervalSeconds !== undefined ? { retryIntervalSeconds: log.retryIntervalSeconds } : {}),
    },
  };
}

function checkStations(ids: readonly string[], violations: RequestViolations): string[] {
  if (ids.length === 0) {
    violations.add('station_ids', 'needs at least one station id');
    return [];
  }
  const distinct = [...new Set(ids)];
  if (distinct.length > MAX_CAMPAIGN_STATIONS) {
    violations.add(
      'station_ids',
      `has ${distinct.length} stations; a campaign has at most ${MAX_CAMPAIGN_STATIONS}`,
    );
    return [];
  }
  for (const id of distinct) violations.stationId(`station_ids[${ids.indexOf(id)}]`, id);
  return distinct;
}

function checkConcurrency(value: number, violations: RequestViolations): number {
  if (value === 0) return DEFAULT_MAX_CONCURRENCY;
  if (value < 0 || value > MAX_MAX_CONCURRENCY)
    violations.add(
      'max_concurrency',
      `must be between 1 and ${MAX_MAX_CONCURRENCY} (0 = default ${DEFAULT_MAX_CONCURRENCY})`,
    );
  return value;
}

function checkUri(field: string, value: string, violations: RequestViolations): void {
  if (value === '') {
    violations.add(field, 'is required');
    return;
  }
  if (value.length > MAX_URI_LENGTH) {
    violations.add(field, `must be at most ${MAX_URI_LENGTH} characters`);
    return;
  }
  // An absolute URI with a scheme and something after it (e.g. https://host/file, ftp://host/dir).
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+/i.test(value) || /\s/.test(value))
    violations.add(field, `is not an absolute URI (scheme://host/path): ${JSON.stringify(value)}`);
}

// google.protobuf.Timestamp is valid from 0001-01-01 to 9999-12-31; OCPP dateTime is RFC 3339.
const MIN_TIME = Date.UTC(1970, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function checkTime(field: string, value: Date | undefined, violations: RequestViolations): Date | undefined {
  if (value === undefined) return undefined;
  const ms = value.getTime();
  if (Number.isNaN(ms) || ms < MIN_TIME || ms > MAX_TIME) {
    violations.add(field, 'must be a time between 1970-01-01 and 9999-12-31');
    return undefined;
  }
  return value;
}

function checkCount(field: string, value: number | undefined, violations: RequestViolations): void {
  if (value !== undefined && value < 0) violations.add(field, 'must not be negative');
}
