import { afterChangeConfiguration } from './change-configuration.js';
import type { V16Actions } from '@csms/ocpp';
import type { HandlerMap } from '../handler.js';
import type { VersionHandlers } from '../version-handlers.js';
import { onAuthorize } from './authorize.js';
import { onBootNotification } from './boot-notification.js';
import { onDataTransfer } from './data-transfer.js';
import { onDiagnosticsStatusNotification } from './diagnostics-status-notification.js';
import { onFirmwareStatusNotification } from './firmware-status-notification.js';
import { onHeartbeat } from './heartbeat.js';
import { onLogStatusNotification } from './log-status-notification.js';
import { onMeterValues } from './meter-values.js';
import { onSecurityEventNotification } from '../security-events.js';
import { afterCertificateSigned, onSignCertificate } from '../station-certificates.js';
import { onSignedFirmwareStatusNotification } from './signed-firmware-status-notification.js';
import { onStartTransaction } from './start-transaction.js';
import { onStatusNotification } from './status-notification.js';
import { onStopTransaction } from './stop-transaction.js';
import { afterCancelReservation, afterReserveNow } from '../reservations.js';

/** Station→CSMS actions of OCPP 1.6 (Core, Firmware Management, security whitepaper ed. 3). */
const calls: HandlerMap<V16Actions> = {
  Authorize: onAuthorize,
  BootNotification: onBootNotification,
  DataTransfer: onDataTransfer,
  DiagnosticsStatusNotification: onDiagnosticsStatusNotification,
  FirmwareStatusNotification: onFirmwareStatusNotification,
  Heartbeat: onHeartbeat,
  LogStatusNotification: onLogStatusNotification,
  MeterValues: onMeterValues,
  SecurityEventNotification: onSecurityEventNotification,
  SignCertificate: onSignCertificate,
  SignedFirmwareStatusNotification: onSignedFirmwareStatusNotification,
  StartTransaction: onStartTransaction,
  StatusNotification: onStatusNotification,
  StopTransaction: onStopTransaction,
};

/** OCPP 1.6 handlers, and the hooks run after a CSMS command was answered. */
export const v16Handlers: VersionHandlers<'ocpp1.6'> = {
  calls,
  // One write statement each (StatusNotification: a second, idempotent one for Faulted / Unavailable; see
  // VersionHandlers.autocommit).
  autocommit: new Set(['BootNotification', 'Heartbeat', 'StatusNotification', 'Authorize', 'MeterValues']),
  afterCommand: {
    ChangeConfiguration: afterChangeConfiguration,
    CertificateSigned: afterCertificateSigned,
    ReserveNow: afterReserveNow,
    CancelReservation: afterCancelReservation,
  },
};
