/**
 * How a station's status notification ends its part of a campaign: `succeeded`, `failed`, `canceled`, or
 * nothing (progress: Downloading, Installing, Uploading, ...).
 */
export type NotificationOutcome = 'succeeded' | 'failed' | 'canceled' | undefined;

// 2.0.1 FirmwareStatusEnumType (L01) and 1.6 FirmwareStatus / security whitepaper FirmwareStatusEnumType.
const FIRMWARE_SUCCESS = new Set(['Installed']);
const FIRMWARE_FAILURE = new Set([
  'DownloadFailed',
  'InstallationFailed',
  'InstallVerificationFailed',
  'InvalidSignature',
]);
// 2.0.1 / 1.6 whitepaper UploadLogStatusEnumType (N01) and 1.6 DiagnosticsStatus.
const UPLOAD_SUCCESS = new Set(['Uploaded']);
const UPLOAD_FAILURE = new Set([
  'UploadFailed',
  'UploadFailure',
  'BadMessage',
  'NotSupportedOperation',
  'PermissionDenied',
]);

export function notificationOutcome(eventType: string, status: string): NotificationOutcome {
  const [success, failure] =
    eventType === 'firmware-status' ? [FIRMWARE_SUCCESS, FIRMWARE_FAILURE] : [UPLOAD_SUCCESS, UPLOAD_FAILURE];
  if (success.has(status)) return 'succeeded';
  if (failure.has(status)) return 'failed';
  // 2.0.1 N01.FR.20: the station canceled this upload for a newer GetLog (whose answer is AcceptedCanceled).
  if (eventType === 'log-status' && status === 'AcceptedCanceled') return 'canceled';
  return undefined;
}
