export {
  createSmartChargingService,
  type SmartChargingApiService,
  type SmartChargingServiceDeps,
} from './smart-charging-service.js';
export {
  REBALANCER_QUEUE,
  SiteRebalancer,
  type Raised,
  type SiteRebalancerOptions,
} from './site-rebalancer.js';
