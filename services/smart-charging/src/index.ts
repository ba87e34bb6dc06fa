export {
  createSmartChargingService,
  type SmartChargingApiService,
  type SmartChargingServiceDeps,
} from './smart-charging-service.js';
export {
  REBALANCER_QUEUE,
  SiteRebalancer,
  type RebalanceTarget,
  type Renegotiated,
  type SiteRebalancerOptions,
} from './site-rebalancer.js';
