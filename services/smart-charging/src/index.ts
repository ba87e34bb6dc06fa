export { createSmartChargingService, type SmartChargingServiceDeps } from './smart-charging-service.js';
