export {
  createFirmwareService,
  type FirmwareApiService,
  type FirmwareServiceDeps,
} from './firmware-service.js';
export type { RunnerOptions } from './campaign-runner.js';
export { StatusTracker, TRACKED_EVENTS } from './status-tracker.js';
