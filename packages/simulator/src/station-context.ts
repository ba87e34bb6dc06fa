import { randomBytes } from 'node:crypto';
import { ConnectGate } from './connect-gate.js';
import { SimulatorMetrics } from './metrics.js';
import { TimeoutSweeper } from './timeout-sweeper.js';

/**
 * What the stations of one fleet share: the metrics they record into, the handshake limit and the call
 * timeout sweeper. A station created on its own gets a private one.
 */
export interface StationContext {
  readonly metrics: SimulatorMetrics;
  readonly gate: ConnectGate;
  readonly timeouts: TimeoutSweeper;
  /**
   * A short random tag of this run, part of every message id and 2.0.1 transaction id, so that a station
   * identity reused by a later run (same database) never repeats an earlier run's ids.
   */
  readonly runTag: string;
}

export interface StationContextOptions {
  /** WebSocket handshakes in progress at once (default 1000). */
  readonly maxConcurrentConnects?: number;
  /** Resolution of call timeouts, ms (default 100). */
  readonly timeoutResolutionMs?: number;
}

/** A new context (metrics start empty). */
export function createStationContext(options: StationContextOptions = {}): StationContext {
  return {
    metrics: new SimulatorMetrics(),
    gate: new ConnectGate(options.maxConcurrentConnects ?? 1000),
    timeouts: new TimeoutSweeper(options.timeoutResolutionMs ?? 100),
    runTag: randomBytes(4).readUInt32BE(0).toString(36).padStart(7, '0').slice(0, 7),
  };
}
