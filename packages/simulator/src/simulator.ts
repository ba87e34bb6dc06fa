import { checkEndpoint } from './endpoint.js';
import type { LedgerTransaction } from './ledger.js';
import type { SimulatedVersion } from './model.js';
import { SimulatedStation, type TransactionOptions } from './station.js';
import { createStationContext, type StationContext } from './station-context.js';
import { buildStats, type SimulatorStats } from './stats.js';

/** Hard bounds: a typo must not start a million sockets or a run that never ends. */
export const MAX_STATIONS = 100_000;
export const MAX_DURATION_MS = 24 * 60 * 60 * 1000;

export interface SimulatorOptions {
  /** CSMS endpoint without the identity, e.g. `ws://127.0.0.1:9000/ocpp`. Loopback only unless `allowRemote`. */
  readonly url: string;
  /** Number of stations (1..100,000). */
  readonly stations: number;
  /** Share of OCPP 2.0.1 stations, 0..1 (default 0.5); the versions are interleaved evenly. */
  readonly versionMix?: number;
  /** Station identities are `<idPrefix><n>`, n zero-padded from 1 (default `SIM`). */
  readonly idPrefix?: string;
  /**
   * Number offset of the identities (default 0): station i is `<idPrefix><firstIndex + i + 1>`, padded
   * and versioned as station `firstIndex + i` of a fleet of `firstIndex + stations`. So a second fleet
   * (`firstIndex: n`) continues a first one of n stations: together they are the stations (identities,
   * versions, id tokens) of one fleet of their total, as its seed file declares them.
   */
  readonly firstIndex?: number;
  /** Basic-auth password per station (undefined: none). */
  readonly passwords?: (stationId: string) => string | undefined;
  /** Stations started per second (default 100 when `bootStorm` is not set). */
  readonly rampUpPerSecond?: number;
  /** Start every station at once (bounded by `maxConcurrentConnects`); excludes `rampUpPerSecond`. */
  readonly bootStorm?: boolean;
  /** Heartbeat interval overriding the CSMS's, s (load shaping); 0 = none. */
  readonly heartbeatIntervalSec?: number;
  /** Connectors (1.6) / EVSEs (2.0.1) per station (default 1). */
  readonly connectors?: number;
  readonly transaction?: TransactionOptions;
  /**
   * Tokens per station (default: one per station, derived from its identity; seed them as Accepted). The
   * function gets the station's number from 0 within the whole fleet (`firstIndex` included).
   */
  readonly idTokens?: readonly string[] | ((stationId: string, index: number) => readonly string[]);
  /** The run stops by itself (gracefully) after this long, ms (default 60,000; at most 24 h). */
  readonly durationMs?: number;
  /** CALL timeout, ms (default 30,000). */
  readonly callTimeoutMs?: number;
  /** WebSocket handshakes in progress at once (default 500). */
  readonly maxConcurrentConnects?: number;
  readonly allowRemote?: boolean;
  readonly ca?: string | Buffer;
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  readonly rebootOnReconnect?: boolean;
  readonly transactionMessageAttempts?: number;
  readonly transactionMessageRetryIntervalMs?: number;
  /** How long `stop()` lets stations deliver their last transaction messages, ms (default 2 × callTimeoutMs, >= 5 s). */
  readonly stopGraceMs?: number;
}

/**
 * A fleet of simulated stations in one process: ramp-up or boot storm, a bounded run time, the KPI table
 * (`stats()`) and the ledger of acknowledged transactions (`ledger()`).
 */
export class Simulator {
  readonly stations: readonly SimulatedStation[];
  readonly #context: StationContext;
  readonly #byVersion: Record<SimulatedVersion, number>;
  readonly #rampPerSecond: number | undefined;
  readonly #durationMs: number;
  readonly #stopGraceMs: number | undefined;

  #startedAt: number | undefined;
  /** Start of the current measurement window (see {@link resetStats}); the run's start until then. */
  #windowStartedAt: number | undefined;
  #stoppedAt: number | undefined;
  #launched = 0;
  #rampTimer: NodeJS.Timeout | undefined;
  #durationTimer: NodeJS.Timeout | undefined;
  #stopPromise: Promise<void> | undefined;
  #resolveStopped!: () => void;
  /** Resolves when the run has stopped (by `stop()` or after `durationMs`). */
  readonly stopped: Promise<void>;

  constructor(options: SimulatorOptions) {
    const count = options.stations;
    if (!Number.isInteger(count) || count < 1 || count > MAX_STATIONS) {
      throw new RangeError(`stations must be an integer from 1 to ${MAX_STATIONS}, got ${count}`);
    }
    const first = options.firstIndex ?? 0;
    if (!Number.isInteger(first) || first < 0 || first + count > MAX_STATIONS) {
      throw new RangeError(
        `firstIndex must be an integer from 0 with firstIndex + stations <= ${MAX_STATIONS}, got ${first}`,
      );
    }
    const mix = options.versionMix ?? 0.5;
    if (!(mix >= 0 && mix <= 1)) throw new RangeError(`versionMix must be within 0..1, got ${mix}`);
    if (options.bootStorm === true && options.rampUpPerSecond !== undefined) {
      throw new RangeError('bootStorm and rampUpPerSecond exclude each other');
    }
    if (options.rampUpPerSecond !== undefined && !(options.rampUpPerSecond > 0)) {
      throw new RangeError(`rampUpPerSecond must be > 0, got ${options.rampUpPerSecond}`);
    }
    this.#rampPerSecond = options.bootStorm === true ? undefined : (options.rampUpPerSecond ?? 100);
    this.#durationMs = options.durationMs ?? 60_000;
    if (!(this.#durationMs > 0 && this.#durationMs <= MAX_DURATION_MS)) {
      throw new RangeError(`durationMs must be within 1..${MAX_DURATION_MS}, got ${this.#durationMs}`);
    }
    this.#stopGraceMs = options.stopGraceMs;
    const url = checkEndpoint(options.url, options.allowRemote);
    this.#context = createStationContext({ maxConcurrentConnects: options.maxConcurrentConnects ?? 500 });
    const prefix = options.idPrefix ?? 'SIM';
    this.#byVersion = { 'ocpp1.6': 0, 'ocpp2.0.1': 0 };
    const stations: SimulatedStation[] = [];
    for (let i = first; i < first + count; i++) {
      const identity = stationIdentity(prefix, i, first + count);
      const version = versionOf(i, mix);
      this.#byVersion[version]++;
      const password = options.passwords?.(identity);
      const idTokens =
        typeof options.idTokens === 'function' ? options.idTokens(identity, i) : options.idTokens;
      stations.push(
        new SimulatedStation(
          {
            identity,
            version,
            url,
            allowRemote: options.allowRemote ?? false,
            ...(password !== undefined ? { password } : {}),
            ...(options.ca !== undefined ? { ca: options.ca } : {}),
            ...(idTokens !== undefined ? { idTokens } : {}),
            ...(options.connectors !== undefined ? { connectors: options.connectors } : {}),
            ...(options.heartbeatIntervalSec !== undefined
              ? { heartbeatIntervalSec: options.heartbeatIntervalSec }
              : {}),
            ...(options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {}),
            ...(options.transaction !== undefined ? { transaction: options.transaction } : {}),
            ...(options.reconnectMinMs !== undefined ? { reconnectMinMs: options.reconnectMinMs } : {}),
            ...(options.reconnectMaxMs !== undefined ? { reconnectMaxMs: options.reconnectMaxMs } : {}),
            ...(options.rebootOnReconnect !== undefined
              ? { rebootOnReconnect: options.rebootOnReconnect }
              : {}),
            ...(options.transactionMessageAttempts !== undefined
              ? { transactionMessageAttempts: options.transactionMessageAttempts }
              : {}),
            ...(options.transactionMessageRetryIntervalMs !== undefined
              ? { transactionMessageRetryIntervalMs: options.transactionMessageRetryIntervalMs }
              : {}),
          },
          this.#context,
        ),
      );
    }
    this.stations = stations;
    this.stopped = new Promise((resolve) => (this.#resolveStopped = resolve));
  }

  /** The station with this identity. */
  station(identity: string): SimulatedStation | undefined {
    return this.stations.find((s) => s.identity === identity);
  }

  /**
   * Starts the stations (all at once for a boot storm, else at the ramp-up rate) and arms the run's
   * duration; resolves once every station has been started (not necessarily booted: see `waitForBoot`).
   */
  start(): Promise<void> {
    if (this.#startedAt !== undefined) return Promise.reject(new Error('the simulator was already started'));
    this.#startedAt = performance.now();
    this.#durationTimer = setTimeout(() => void this.stop(), this.#durationMs);
    const rate = this.#rampPerSecond;
    if (rate === undefined) {
      for (const station of this.stations) station.start();
      this.#launched = this.stations.length;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const startedAt = performance.now();
      const tick = (): void => {
        // Catch up with the schedule on every tick, so timer drift does not lower the rate.
        const due = Math.min(
          this.stations.length,
          Math.floor(((performance.now() - startedAt) / 1000) * rate) + 1,
        );
        while (this.#launched < due && this.#stopPromise === undefined)
          this.stations[this.#launched++]?.start();
        if (this.#launched >= this.stations.length || this.#stopPromise !== undefined) {
          if (this.#rampTimer !== undefined) clearInterval(this.#rampTimer);
          this.#rampTimer = undefined;
          resolve();
        }
      };
      this.#rampTimer = setInterval(tick, Math.max(10, Math.min(100, 1000 / rate)));
      tick();
    });
  }

  /** Waits until every started station is Accepted or `timeoutMs` passed; returns how many are Accepted. */
  async waitForBoot(timeoutMs: number): Promise<number> {
    const results = await Promise.all(this.stations.map((s) => s.whenAccepted(timeoutMs)));
    return results.filter(Boolean).length;
  }

  /** Starts, runs for `durationMs`, stops gracefully and returns the stats. */
  async run(): Promise<SimulatorStats> {
    await this.start();
    await this.stopped;
    return this.stats();
  }

  /**
   * Graceful stop: no new transactions; running ones are stopped and their messages delivered (for at
   * most the stop grace), then every socket is closed.
   */
  stop(): Promise<void> {
    this.#stopPromise ??= this.#stop();
    return this.#stopPromise;
  }

  async #stop(): Promise<void> {
    if (this.#rampTimer !== undefined) clearInterval(this.#rampTimer);
    if (this.#durationTimer !== undefined) clearTimeout(this.#durationTimer);
    this.#rampTimer = this.#durationTimer = undefined;
    await Promise.all(this.stations.map((s) => s.stop(this.#stopGraceMs)));
    this.#context.timeouts.close();
    this.#stoppedAt = performance.now();
    this.#resolveStopped();
  }

  /**
   * Starts a new measurement window: from now on {@link stats} covers only what happens after this call
   * (response times, message and error counts, rates over the window's elapsed time); connected and
   * booted stations are kept. For load steps measured after the ramp-up.
   */
  resetStats(): void {
    this.#context.metrics.resetWindow();
    this.#windowStartedAt = performance.now();
  }

  /** The KPI table so far (or of the whole run once stopped), since the start or the last {@link resetStats}. */
  stats(): SimulatorStats {
    const end = this.#stoppedAt ?? performance.now();
    const from = this.#windowStartedAt ?? this.#startedAt;
    const elapsed = from === undefined ? 0 : Math.max(0, end - from);
    return buildStats(this.#context.metrics, elapsed, { ...this.#byVersion });
  }

  /** Every transaction of every station with what was acknowledged (see {@link LedgerTransaction}). */
  ledger(): LedgerTransaction[] {
    return this.stations.flatMap((s) => s.ledger());
  }
}

/**
 * The identity of station `index` (from 0) of a fleet of `count`: the prefix and the 1-based number,
 * zero-padded to at least 5 digits (`SIM00001`), so that seed files can be generated for a fleet.
 */
export function stationIdentity(prefix: string, index: number, count: number): string {
  return `${prefix}${String(index + 1).padStart(Math.max(5, String(count).length), '0')}`;
}

/** Station i is 2.0.1 when the running share of 2.0.1 stations steps up at i: an even interleaving. */
function versionOf(index: number, mix: number): SimulatedVersion {
  return Math.floor((index + 1) * mix) > Math.floor(index * mix) ? 'ocpp2.0.1' : 'ocpp1.6';
}
