/**
 * @csms/simulator: OCPP 1.6-J / 2.0.1 charging stations simulated over raw `ws` sockets, thousands per process,
 * for chaos tests (the ledger of acknowledged transactions) and benchmarks (per-action response times).
 */
export { Simulator, MAX_STATIONS, MAX_DURATION_MS, stationIdentity } from './simulator.js';
export type { SimulatorOptions } from './simulator.js';
export { SimulatedStation, defaultIdToken } from './station.js';
export type { StationOptions, StationState, TransactionOptions } from './station.js';
export { createStationContext } from './station-context.js';
export type { StationContext, StationContextOptions } from './station-context.js';
export { SimulatorMetrics, summarize } from './metrics.js';
export type { ActionMetrics, LatencySummary } from './metrics.js';
export { buildStats, formatStats } from './stats.js';
export type { ActionStats, SimulatorStats } from './stats.js';
export type { LedgerMeterValue, LedgerTransaction } from './ledger.js';
export type { SimulatedVersion } from './model.js';
export { checkEndpoint, isLoopbackHost, EndpointError } from './endpoint.js';
export { V16_CONFIGURATION_KEYS } from './protocol-v16.js';
export { verifyLedger } from './verify-ledger.js';
export type { LedgerVerification, VerifyLedgerOptions } from './verify-ledger.js';
