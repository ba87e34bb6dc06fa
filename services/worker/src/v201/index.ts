import { afterSetVariables } from './set-variables.js';
import type { V201Actions } from '@csms/ocpp';
import { isPeriodicTransactionEvent201 } from '@csms/db';
import type { HandlerMap } from '../handler.js';
import type { VersionHandlers } from '../version-handlers.js';
import { onAuthorize } from './authorize.js';
import { onBootNotification } from './boot-notification.js';
import { onClearedChargingLimit } from './cleared-charging-limit.js';
import { onDataTransfer } from './data-transfer.js';
import {
  afterClearDisplayMessage,
  afterGetDisplayMessages,
  afterSetDisplayMessage,
} from './display-message-commands.js';
import { onFirmwareStatusNotification } from './firmware-status-notification.js';
import { onHeartbeat } from './heartbeat.js';
import { onLogStatusNotification } from './log-status-notification.js';
import { onMeterValues } from './meter-values.js';
import { onNotifyChargingLimit } from './notify-charging-limit.js';
import { onNotifyCustomerInformation } from './notify-customer-information.js';
import { onNotifyDisplayMessages } from './notify-display-messages.js';
import { onNotifyEvent } from './notify-event.js';
import { onNotifyEVChargingNeeds } from './notify-ev-charging-needs.js';
import { onNotifyEVChargingSchedule } from './notify-ev-charging-schedule.js';
import { afterSetChargingProfile } from './charging-profile-commands.js';
import { onNotifyMonitoringReport } from './notify-monitoring-report.js';
import { onNotifyReport } from './notify-report.js';
import { onPublishFirmwareStatusNotification } from './publish-firmware-status-notification.js';
import { onReportChargingProfiles } from './report-charging-profiles.js';
import { onReservationStatusUpdate } from './reservation-status-update.js';
import { afterCancelReservation, afterReserveNow } from '../reservations.js';
import { onSecurityEventNotification } from '../security-events.js';
import { afterCertificateSigned, onSignCertificate } from '../station-certificates.js';
import { onGetCertificateStatus } from './get-certificate-status.js';
import { onGet15118EVCertificate } from './get-15118-ev-certificate.js';
import {
  afterClearVariableMonitoring,
  afterSetMonitoringBase,
  afterSetMonitoringLevel,
  afterSetVariableMonitoring,
} from './monitoring-commands.js';
import { onStatusNotification } from './status-notification.js';
import { onTransactionEvent } from './transaction-event.js';

/**
 * OCPP 2.0.1 station→CSMS actions this CSMS handles (all that a station sends). A station action without a
 * handler here would be answered NotSupported by the actor.
 */
const calls: HandlerMap<V201Actions> = {
  BootNotification: onBootNotification,
  Heartbeat: onHeartbeat,
  StatusNotification: onStatusNotification,
  Authorize: onAuthorize,
  TransactionEvent: onTransactionEvent,
  MeterValues: onMeterValues,
  DataTransfer: onDataTransfer,
  SecurityEventNotification: onSecurityEventNotification,
  SignCertificate: onSignCertificate,
  // M06: no database write; the OCSP exchange is bounded by CSMS_OCSP_TIMEOUT.
  GetCertificateStatus: onGetCertificateStatus,
  // M01/M02: no database write; the contract certificate backend is bounded by CSMS_CONTRACT_CERT_TIMEOUT.
  Get15118EVCertificate: onGet15118EVCertificate,
  FirmwareStatusNotification: onFirmwareStatusNotification,
  LogStatusNotification: onLogStatusNotification,
  NotifyReport: onNotifyReport,
  NotifyEvent: onNotifyEvent,
  // Store-and-acknowledge notifications (empty response per schema).
  NotifyMonitoringReport: onNotifyMonitoringReport,
  NotifyCustomerInformation: onNotifyCustomerInformation,
  NotifyDisplayMessages: onNotifyDisplayMessages,
  NotifyChargingLimit: onNotifyChargingLimit,
  ClearedChargingLimit: onClearedChargingLimit,
  ReservationStatusUpdate: onReservationStatusUpdate,
  PublishFirmwareStatusNotification: onPublishFirmwareStatusNotification,
  // K09: the parts of a station's answer to GetChargingProfilesRequest, stored as reported.
  ReportChargingProfiles: onReportChargingProfiles,
  // K15-K17 (ISO 15118 smart charging): a TxProfile computed for the EV, queued after the answer.
  NotifyEVChargingNeeds: onNotifyEVChargingNeeds,
  NotifyEVChargingSchedule: onNotifyEVChargingSchedule,
};

/** OCPP 2.0.1 handlers. */
export const v201Handlers: VersionHandlers<'ocpp2.0.1'> = {
  calls,
  // One write statement each at most (see VersionHandlers.autocommit). Not NotifyEvent nor NotifyMonitoringReport:
  // they write the raw message and the monitoring store (N02, N07/N08) together.
  autocommit: new Set([
    'BootNotification',
    'Heartbeat',
    'StatusNotification',
    'Authorize',
    'MeterValues',
    'GetCertificateStatus',
    'Get15118EVCertificate',
  ]),
  // E02 / J02: the periodic Updated (meter values while charging, the most frequent event) in one statement.
  autocommitWhen: { TransactionEvent: isPeriodicTransactionEvent201 },
  afterCommand: {
    SetVariables: afterSetVariables,
    CertificateSigned: afterCertificateSigned,
    ReserveNow: afterReserveNow,
    CancelReservation: afterCancelReservation,
    // O01-O06: the display message catalogue follows the station's answers, however the command was sent.
    SetDisplayMessage: afterSetDisplayMessage,
    ClearDisplayMessage: afterClearDisplayMessage,
    GetDisplayMessages: afterGetDisplayMessages,
    // N03-N06: the monitoring store follows the station's answers, however the command was sent.
    SetVariableMonitoring: afterSetVariableMonitoring,
    ClearVariableMonitoring: afterClearVariableMonitoring,
    SetMonitoringBase: afterSetMonitoringBase,
    SetMonitoringLevel: afterSetMonitoringLevel,
    // K01 / K15-K17: the installed profiles follow the station's answers, however the command was sent.
    SetChargingProfile: afterSetChargingProfile,
  },
};
