import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { SIMULATED_VERSIONS, type SimulatedVersion } from './model.js';

/**
 * Counters and response-time histograms of a whole fleet. Histograms are per (version, action), never per
 * station, so memory does not grow with the number of stations; values are microseconds in perf_hooks
 * HDR histograms (3 significant digits), which record in O(1) without allocating.
 */
export class SimulatorMetrics {
  /** Per version: action → its counters and histogram (two-level so that lookups build no key string). */
  readonly #actions: Record<SimulatedVersion, Map<string, ActionMetrics>> = {
    'ocpp1.6': new Map(),
    'ocpp2.0.1': new Map(),
  };
  /** Per version: RemoteStartTransaction / RequestStartTransaction received → start message sent. */
  readonly remoteStart: Record<SimulatedVersion, RecordableHistogram> = {
    'ocpp1.6': createHistogram(),
    'ocpp2.0.1': createHistogram(),
  };
  readonly callErrors = new Map<string, number>();
  /** CSMS-initiated CALLs answered, by action ("v action" keys are built once per distinct action). */
  readonly csmsCalls = new Map<string, number>();

  sent = 0;
  received = 0;
  /** Retransmissions of transaction messages (included in `sent`). */
  retried = 0;
  /** Transaction messages given up on. */
  droppedTransactionMessages = 0;
  /** Other messages not delivered (socket closed, timeout, offline). */
  droppedMessages = 0;
  /** CALLRESULT/CALLERROR whose messageId matched nothing in flight (e.g. after a timeout). */
  lateResponses = 0;
  /** Frames that were not valid OCPP-J (counted, ignored). */
  invalidFrames = 0;

  connectAttempts = 0;
  connectFailures = 0;
  /** Opened connections after the station's first one. */
  reconnects = 0;
  /** Connections closed by the CSMS or the network (not by the simulator). */
  disconnects = 0;
  connected = 0;
  peakConnected = 0;
  /** Stations whose last BootNotification was Accepted. */
  booted = 0;
  /** BootNotification answers Pending or Rejected (a CSMS limiting its load answers Pending). */
  bootsNotAccepted = 0;

  transactionsStarted = 0;
  transactionsStopped = 0;
  startsAcknowledged = 0;
  stopsAcknowledged = 0;
  authorizeRejected = 0;

  /** The counters of `action` in `version` (created on first use). */
  action(version: SimulatedVersion, action: string): ActionMetrics {
    const map = this.#actions[version];
    let metrics = map.get(action);
    if (metrics === undefined) {
      metrics = { version, action, histogram: createHistogram(), sent: 0, errors: 0, timeouts: 0 };
      map.set(action, metrics);
    }
    return metrics;
  }

  /** Every (version, action) seen so far. */
  actions(): ActionMetrics[] {
    return SIMULATED_VERSIONS.flatMap((v) => [...this.#actions[v].values()]);
  }

  /**
   * Starts a new measurement window: response times and the message, error, connection-attempt and
   * transaction counters restart from zero (in place: stations hold their action's counters); the gauges
   * (connected, peak connected, booted) are kept. A load sweep reads each load step's steady window this way.
   */
  resetWindow(): void {
    for (const version of SIMULATED_VERSIONS) {
      for (const m of this.#actions[version].values()) {
        m.histogram.reset();
        m.sent = 0;
        m.errors = 0;
        m.timeouts = 0;
      }
      this.remoteStart[version].reset();
    }
    this.callErrors.clear();
    this.csmsCalls.clear();
    this.sent = this.received = this.retried = 0;
    this.droppedTransactionMessages = this.droppedMessages = this.lateResponses = this.invalidFrames = 0;
    this.connectAttempts = this.connectFailures = this.reconnects = this.disconnects = 0;
    this.bootsNotAccepted = 0;
    this.transactionsStarted = this.transactionsStopped = 0;
    this.startsAcknowledged = this.stopsAcknowledged = this.authorizeRejected = 0;
    this.peakConnected = this.connected;
  }

  callError(code: string): void {
    this.callErrors.set(code, (this.callErrors.get(code) ?? 0) + 1);
  }

  csmsCall(version: SimulatedVersion, action: string): void {
    const key = `${version} ${action}`;
    this.csmsCalls.set(key, (this.csmsCalls.get(key) ?? 0) + 1);
  }

  connectedDelta(delta: 1 | -1): void {
    this.connected += delta;
    if (this.connected > this.peakConnected) this.peakConnected = this.connected;
  }
}

/** Counters of one action in one version. */
export interface ActionMetrics {
  readonly version: SimulatedVersion;
  readonly action: string;
  /** Response time as the station saw it (send → CALLRESULT or CALLERROR), microseconds. */
  readonly histogram: RecordableHistogram;
  /** Transmissions, retries included. */
  sent: number;
  /** Answers that were CALLERRORs. */
  errors: number;
  /** Transmissions that got no answer within the call timeout. */
  timeouts: number;
}

/** Records a duration given in milliseconds (performance.now() difference) as whole microseconds. */
export function recordMs(histogram: RecordableHistogram, ms: number): void {
  // HDR histograms take integers >= 1; sub-microsecond answers do not exist over a socket anyway.
  histogram.record(Math.max(1, Math.round(ms * 1000)));
}

/** min / avg / percentiles of a histogram, in milliseconds (0 when it is empty). */
export interface LatencySummary {
  readonly count: number;
  readonly minMs: number;
  readonly avgMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Summarises `histogram` (microseconds) in milliseconds. */
export function summarize(histogram: RecordableHistogram): LatencySummary {
  const count = histogram.count;
  if (count === 0) return { count: 0, minMs: 0, avgMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 };
  return {
    count,
    minMs: us(histogram.min),
    avgMs: us(histogram.mean),
    p50Ms: us(histogram.percentile(50)),
    p95Ms: us(histogram.percentile(95)),
    p99Ms: us(histogram.percentile(99)),
    maxMs: us(histogram.max),
  };
}

/** A new histogram holding every value of `parts`. */
export function mergeHistograms(parts: readonly RecordableHistogram[]): RecordableHistogram {
  const merged = createHistogram();
  for (const part of parts) merged.add(part);
  return merged;
}

function us(value: number): number {
  return Math.round(value) / 1000;
}
