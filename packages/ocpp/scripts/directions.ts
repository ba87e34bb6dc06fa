/**
 * Who sends the request of each OCPP action, per version, with the specification sections that say so
 * (read by generate.ts, which checks the schema files against these tables).
 */

/** Who sends the request (CALL) of an action: the Charging Station / Charge Point, the CSMS, or either side. */
export type Sender = 'station' | 'csms' | 'both';

/**
 * OCPP 1.6 directions.
 * - Core messages: "OCPP 1.6 edition 2" (ocpp16/ocpp-1.6 edition 2.md), chapter 4 "Operations Initiated by
 *   Charge Point" (§4.1–§4.10) and chapter 5 "Operations Initiated by Central System" (§5.1–§5.19).
 *   DataTransfer is listed in both (§4.3 and §5.6).
 * - Security extension: "OCPP 1.6 Security Whitepaper edition 3", chapter 5 "Messages" (§5.1–§5.22), where each
 *   .req is described as "sent by the Central System to the Charge Point" or vice versa.
 */
export const V16_DIRECTIONS: Readonly<Record<string, Sender>> = {
  // 1.6 edition 2, chapter 4: initiated by Charge Point
  Authorize: 'station', // §4.1
  BootNotification: 'station', // §4.2
  DataTransfer: 'both', // §4.3 and §5.6
  DiagnosticsStatusNotification: 'station', // §4.4
  FirmwareStatusNotification: 'station', // §4.5
  Heartbeat: 'station', // §4.6
  MeterValues: 'station', // §4.7
  StartTransaction: 'station', // §4.8
  StatusNotification: 'station', // §4.9
  StopTransaction: 'station', // §4.10
  // 1.6 edition 2, chapter 5: initiated by Central System
  CancelReservation: 'csms', // §5.1
  ChangeAvailability: 'csms', // §5.2
  ChangeConfiguration: 'csms', // §5.3
  ClearCache: 'csms', // §5.4
  ClearChargingProfile: 'csms', // §5.5
  GetCompositeSchedule: 'csms', // §5.7
  GetConfiguration: 'csms', // §5.8
  GetDiagnostics: 'csms', // §5.9
  GetLocalListVersion: 'csms', // §5.10
  RemoteStartTransaction: 'csms', // §5.11
  RemoteStopTransaction: 'csms', // §5.12
  ReserveNow: 'csms', // §5.13
  Reset: 'csms', // §5.14
  SendLocalList: 'csms', // §5.15
  SetChargingProfile: 'csms', // §5.16
  TriggerMessage: 'csms', // §5.17
  UnlockConnector: 'csms', // §5.18
  UpdateFirmware: 'csms', // §5.19
  // Security Whitepaper edition 3, chapter 5
  CertificateSigned: 'csms', // §5.1
  DeleteCertificate: 'csms', // §5.3
  ExtendedTriggerMessage: 'csms', // §5.5
  GetInstalledCertificateIds: 'csms', // §5.7
  GetLog: 'csms', // §5.9
  InstallCertificate: 'csms', // §5.11
  LogStatusNotification: 'station', // §5.13
  SecurityEventNotification: 'station', // §5.15
  SignCertificate: 'station', // §5.17
  SignedFirmwareStatusNotification: 'station', // §5.19
  SignedUpdateFirmware: 'csms', // §5.21
};

/**
 * OCPP 2.0.1 directions: OCPP-2.0.1 edition 3 part 2, "Messages, Datatypes & Enumerations", chapter 1 "Messages"
 * (§1.1–§1.64). Each `<Action>Request` section states "sent by the Charging Station to the CSMS" or "sent by the
 * CSMS to the Charging Station" (or describes it in the use case that uses it). DataTransferRequest (§1.13) is
 * "sent either by the CSMS to the Charging Station or vice versa". PublishFirmwareStatusNotification is sent by
 * a Local Controller, which acts as a Charging Station towards the CSMS (part 4 §6 "OCPP Routing").
 */
export const V201_DIRECTIONS: Readonly<Record<string, Sender>> = {
  Authorize: 'station', // §1.1
  BootNotification: 'station', // §1.2
  CancelReservation: 'csms', // §1.3
  CertificateSigned: 'csms', // §1.4
  ChangeAvailability: 'csms', // §1.5
  ClearCache: 'csms', // §1.6
  ClearChargingProfile: 'csms', // §1.7
  ClearDisplayMessage: 'csms', // §1.8
  ClearedChargingLimit: 'station', // §1.9
  ClearVariableMonitoring: 'csms', // §1.10
  CostUpdated: 'csms', // §1.11
  CustomerInformation: 'csms', // §1.12 (use case N09)
  DataTransfer: 'both', // §1.13
  DeleteCertificate: 'csms', // §1.14
  FirmwareStatusNotification: 'station', // §1.15
  Get15118EVCertificate: 'station', // §1.16
  GetBaseReport: 'csms', // §1.17
  GetCertificateStatus: 'station', // §1.18
  GetChargingProfiles: 'csms', // §1.19
  GetCompositeSchedule: 'csms', // §1.20
  GetDisplayMessages: 'csms', // §1.21 (use case O03)
  GetInstalledCertificateIds: 'csms', // §1.22
  GetLocalListVersion: 'csms', // §1.23
  GetLog: 'csms', // §1.24
  GetMonitoringReport: 'csms', // §1.25
  GetReport: 'csms', // §1.26
  GetTransactionStatus: 'csms', // §1.27
  GetVariables: 'csms', // §1.28
  Heartbeat: 'station', // §1.29
  InstallCertificate: 'csms', // §1.30
  LogStatusNotification: 'station', // §1.31
  MeterValues: 'station', // §1.32
  NotifyChargingLimit: 'station', // §1.33
  NotifyCustomerInformation: 'station', // §1.34
  NotifyDisplayMessages: 'station', // §1.35
  NotifyEVChargingNeeds: 'station', // §1.36
  NotifyEVChargingSchedule: 'station', // §1.37
  NotifyEvent: 'station', // §1.38
  NotifyMonitoringReport: 'station', // §1.39
  NotifyReport: 'station', // §1.40
  PublishFirmware: 'csms', // §1.41 (CSMS to Local Controller)
  PublishFirmwareStatusNotification: 'station', // §1.42 (Local Controller to CSMS)
  ReportChargingProfiles: 'station', // §1.43
  RequestStartTransaction: 'csms', // §1.44
  RequestStopTransaction: 'csms', // §1.45
  ReservationStatusUpdate: 'station', // §1.46
  ReserveNow: 'csms', // §1.47
  Reset: 'csms', // §1.48
  SecurityEventNotification: 'station', // §1.49
  SendLocalList: 'csms', // §1.50
  SetChargingProfile: 'csms', // §1.51
  SetDisplayMessage: 'csms', // §1.52
  SetMonitoringBase: 'csms', // §1.53
  SetMonitoringLevel: 'csms', // §1.54
  SetNetworkProfile: 'csms', // §1.55
  SetVariableMonitoring: 'csms', // §1.56
  SetVariables: 'csms', // §1.57
  SignCertificate: 'station', // §1.58
  StatusNotification: 'station', // §1.59
  TransactionEvent: 'station', // §1.60
  TriggerMessage: 'csms', // §1.61
  UnlockConnector: 'csms', // §1.62
  UnpublishFirmware: 'csms', // §1.63
  UpdateFirmware: 'csms', // §1.64
};

/**
 * OCPP 2.1 directions: OCPP-2.1 edition 1 part 2, "Messages, Datatypes & Enumerations", chapter 1 "Messages"
 * (§1.1–§1.91) and the use cases that use the messages new in 2.1. All 2.0.1 messages keep their direction.
 */
export const V21_DIRECTIONS: Readonly<Record<string, Sender>> = {
  ...V201_DIRECTIONS,
  AdjustPeriodicEventStream: 'csms', // §1.1 (use case N13: "CSMS sends a AdjustPeriodicEventStreamRequest")
  AFRRSignal: 'csms', // §1.2 ("CSMS sends a AFRRSignalRequest")
  BatterySwap: 'station', // §1.4 ("Message sent by Charging Station when a battery is swapped")
  ChangeTransactionTariff: 'csms', // §1.9 ("CSMS sends a ChangeTransactionTariffRequest")
  ClearDERControl: 'csms', // §1.12 (R04.FR.41: "Charging Station receives a ClearDERControlRequest")
  ClearTariffs: 'csms', // §1.15 ("CSMS requests to clear one or more default tariffs from a Charging Station")
  ClosePeriodicEventStream: 'station', // §1.17 ("Charging Station sends a ClosePeriodicEventStreamRequest")
  GetCertificateChainStatus: 'station', // §1.25 ("Charging Station sends a GetCertificateChainStatusRequest")
  GetDERControl: 'csms', // §1.29 (R04.FR.36: "Charging Station receives a GetDERControlRequest")
  GetPeriodicEventStream: 'csms', // §1.35 ("CSMS sends a GetPeriodicEventStreamRequest")
  GetTariffs: 'csms', // §1.37 ("CSMS sends GetTariffsRequest")
  NotifyAllowedEnergyTransfer: 'csms', // §1.44 ("Message sent by CSMS to update the list of authorized energy services")
  NotifyDERAlarm: 'station', // §1.47 ("Charging Station SHALL report ... by sending a NotifyDERAlarmRequest")
  NotifyDERStartStop: 'station', // §1.48 ("Charging Station SHALL send a NotifyDERStartStopRequest")
  NotifyPriorityCharging: 'station', // §1.55 ("Message sent by Charging Station to notify CSMS")
  NotifySettlement: 'station', // §1.57 ("Charging Station sends a NotifySettlementRequest")
  NotifyWebPaymentStarted: 'csms', // §1.58 ("CSMS MAY send a NotifyWebPaymentStartedRequest")
  OpenPeriodicEventStream: 'station', // §1.59 ("Charging Station SHALL send a OpenPeriodicEventStreamRequest")
  PullDynamicScheduleUpdate: 'station', // §1.62 ("This message is sent by a Charging Station")
  ReportDERControl: 'station', // §1.64 ("Charging Station SHALL ... send one or more ReportDERControlRequest")
  RequestBatterySwap: 'csms', // §1.65 ("CSMS sends a RequestBatterySwapRequest")
  SetDefaultTariff: 'csms', // §1.74 ("CSMS sends SetDefaultTariffRequest")
  SetDERControl: 'csms', // §1.75 (R01.FR.03: "Upon receiving DER controls as SetDERControlRequest messages from CSMS")
  UpdateDynamicSchedule: 'csms', // §1.88 ("CSMS ... sends a UpdateDynamicScheduleRequest")
  UsePriorityCharging: 'csms', // §1.90 ("Message sent by CSMS to tell Charging Station to switch")
  VatNumberValidation: 'station', // §1.91 ("Charging Station MAY send a VatNumberValidationRequest")
};

/**
 * OCPP 2.1 unconfirmed messages (message type SEND = 6, OCPP-2.1 part 4 §4.2.4): the schema file is named after the
 * message itself, without Request/Response suffix. NotifyPeriodicEventStream: part 2 use case N15,
 * N15.FR.01 "Charging Station SHALL send a NotifyPeriodicEventStream message as a message type SEND".
 */
export const V21_SEND_DIRECTIONS: Readonly<Record<string, Sender>> = {
  NotifyPeriodicEventStream: 'station',
};
