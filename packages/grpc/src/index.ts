export { ApiErrors, ERROR_DOMAIN, requireOcppVersion, type FieldViolation } from './api-errors.js';
export { RequestViolations, invalidRequest, requireStationId } from './request-violations.js';
export { answerOf, resultOf, type CallAnswer } from './command-outcome.js';
export { forwardingService } from './forwarding-service.js';
export { abortable } from './abortable.js';
export { pollUntil } from './poll-until.js';
export { apiStationEvents, type ApiStationEvent } from './station-event-feed.js';
export {
  DEFAULT_PAGE_SIZE,
  INT32_KEY,
  MAX_PAGE_SIZE,
  ROW_ID_KEY,
  decodePageToken,
  encodePageToken,
  pageSizeOf,
} from './pagination.js';
export { readTlsFiles, type ApiAuth, type TlsFiles, type TlsMaterial } from './credentials.js';
export {
  apiService,
  startApiServer,
  type ApiServer,
  type ApiServerLogger,
  type ApiServerOptions,
  type ApiService,
} from './api-server.js';
export {
  connectApi,
  type ApiClient,
  errorSummary,
  type ApiClientCallOptions,
  type ApiClientOptions,
  type ApiConnection,
  type ErrorSummary,
} from './api-client.js';
export { ClientError, ServerError, Status } from 'nice-grpc-common';
export { RichClientError, RichServerError } from 'nice-grpc-error-details';
export { HealthDefinition } from 'nice-grpc-server-health';
export type { CallContext } from 'nice-grpc-common';
export type { CompatServiceDefinition, ServiceImplementation, TsProtoServiceDefinition } from 'nice-grpc';

// Generated from proto/ (one namespace per proto package).
export * as stationV1 from './gen/csms/station/v1/station.js';
export * as displayMessageV1 from './gen/csms/station/v1/display_message.js';
export * as monitoringV1 from './gen/csms/station/v1/monitoring.js';
export * as authV1 from './gen/csms/auth/v1/auth.js';
export * as firmwareV1 from './gen/csms/firmware/v1/firmware.js';
export * as smartChargingV1 from './gen/csms/smart_charging/v1/smart_charging.js';
export * as ocpp16V1 from './gen/csms/ocpp16/v1/ocpp16.js';
export * as ocpp201V1 from './gen/csms/ocpp201/v1/ocpp201.js';
export * as transactionV1 from './gen/csms/transaction/v1/transaction.js';
export * as reservationV1 from './gen/csms/reservation/v1/reservation.js';
export * as tariffV1 from './gen/csms/tariff/v1/tariff.js';
