export { createStationService, type StationServiceDeps } from './station-service.js';
export { HistoryRetention, type HistoryRetentionOptions } from './history-retention.js';
export {
  createOcpp16Service,
  createOcpp201Service,
  type OcppCommandServiceDeps,
} from './ocpp-command-services.js';
export { createDisplayMessageService } from './display-messages/display-message-service.js';
export { createMonitoringService } from './monitoring/monitoring-service.js';
