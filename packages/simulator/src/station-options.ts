import { createHash } from 'node:crypto';
import type { ClientOptions } from 'ws';
import { checkEndpoint, stationUrl } from './endpoint.js';
import type { Connector, SimulatedVersion } from './model.js';
import type { StationSettings } from './protocol.js';

/** The automatic transaction cycle and the shape of every transaction (remote-started ones included). */
export interface TransactionOptions {
  /** Run transactions by themselves: pause → Authorize → start → meter values → stop (default true). */
  readonly auto?: boolean;
  /** Interval between periodic meter values, ms (default 10,000). */
  readonly meterValueIntervalMs?: number;
  /** Periodic meter values before the transaction stops by itself (default 6; 0 = stop right after start). */
  readonly meterValuesPerTransaction?: number;
  /** Pause between the end of a transaction and the next Authorize, ms (default 10,000; jittered ±50%). */
  readonly pauseBetweenMs?: number;
  /** Automatic transactions per station at most (default unlimited). */
  readonly maxTransactions?: number;
  /** Charging power, W: how fast the energy register grows (default 11,000). */
  readonly powerW?: number;
}

export interface StationOptions {
  /** The OCPP identity: the last path segment of the connection URL, the Basic-auth user name. */
  readonly identity: string;
  readonly version: SimulatedVersion;
  /** CSMS endpoint without the identity, e.g. `ws://127.0.0.1:9000/ocpp`. */
  readonly url: string;
  /** Basic-auth password (Security Profile 1/2); none = no Authorization header. */
  readonly password?: string;
  /** Allow a non-loopback host (refused by default: this is a load generator). */
  readonly allowRemote?: boolean;
  /** PEM CA for `wss://` endpoints with a private CA. */
  readonly ca?: string | Buffer;
  /** Connectors (1.6) / EVSEs with one connector each (2.0.1), default 1. */
  readonly connectors?: number;
  /** Heartbeat interval, s, overriding the BootNotification answer (for load); 0 = no heartbeats. */
  readonly heartbeatIntervalSec?: number;
  /** How long a CALL waits for its answer, ms (default 30,000). */
  readonly callTimeoutMs?: number;
  /** Tokens the automatic cycle presents, round robin (default: one derived from the identity). */
  readonly idTokens?: readonly string[];
  readonly transaction?: TransactionOptions;
  /** Reconnect backoff: first delay, ms (default 1,000), doubled per failed attempt up to `reconnectMaxMs`. */
  readonly reconnectMinMs?: number;
  /** Reconnect backoff cap, ms (default 30,000). */
  readonly reconnectMaxMs?: number;
  /** Send BootNotification after every reconnect, not only at start and after Reset (default false). */
  readonly rebootOnReconnect?: boolean;
  /** Transmissions of a transaction message before it is given up on (default 10). */
  readonly transactionMessageAttempts?: number;
  /** Wait before a retry after a CALLERROR / timeout, ms, times the transmissions so far (default 1,000). */
  readonly transactionMessageRetryIntervalMs?: number;
  /** Transaction messages kept while offline (default 1,000; more are dropped and counted). */
  readonly maxQueuedTransactionMessages?: number;
}

/** Connection state of a station. */
export type StationState = 'idle' | 'connecting' | 'open' | 'closed' | 'stopped';

/** The automatic transaction cycle's settings, validated. */
export interface CycleConfig {
  readonly auto: boolean;
  readonly meterValuesPerTransaction: number;
  readonly pauseBetweenMs: number;
  readonly maxTransactions: number;
  readonly powerW: number;
  readonly idTokens: readonly string[];
}

/** Reconnect and reboot behaviour, validated. */
export interface ReconnectConfig {
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly rebootOnReconnect: boolean;
  /** Heartbeat interval overriding the BootNotification answer, s. */
  readonly heartbeatOverride: number | undefined;
}

/** {@link StationOptions} with defaults applied and checked. */
export interface StationConfig {
  readonly url: string;
  readonly wsOptions: ClientOptions;
  readonly settings: StationSettings;
  readonly cycle: CycleConfig;
  readonly reconnect: ReconnectConfig;
  readonly maxQueuedTransactionMessages: number;
  readonly connectors: number;
}

const MAX_PAYLOAD = 1024 * 1024;

/** Applies the defaults; throws RangeError for an invalid identity or value. */
export function resolveStationConfig(options: StationOptions): StationConfig {
  if (!/^[^:\s/]{1,48}$/.test(options.identity)) {
    throw new RangeError(
      `invalid station identity "${options.identity}": 1-48 characters, no ':', '/' or spaces`,
    );
  }
  const url = stationUrl(checkEndpoint(options.url, options.allowRemote), options.identity);
  const callTimeoutMs = positive(options.callTimeoutMs ?? 30_000, 'callTimeoutMs');
  const tx = options.transaction ?? {};
  const reconnectMinMs = positive(options.reconnectMinMs ?? 1_000, 'reconnectMinMs');
  return {
    url,
    wsOptions: wsOptions(options, callTimeoutMs),
    settings: {
      heartbeatIntervalSec: options.heartbeatIntervalSec ?? 0,
      meterValueIntervalMs: positive(tx.meterValueIntervalMs ?? 10_000, 'meterValueIntervalMs'),
      transactionMessageAttempts: positive(
        options.transactionMessageAttempts ?? 10,
        'transactionMessageAttempts',
      ),
      transactionMessageRetryIntervalMs: nonNegative(
        options.transactionMessageRetryIntervalMs ?? 1_000,
        'transactionMessageRetryIntervalMs',
      ),
      callTimeoutMs,
    },
    cycle: {
      auto: tx.auto ?? true,
      meterValuesPerTransaction: nonNegative(tx.meterValuesPerTransaction ?? 6, 'meterValuesPerTransaction'),
      pauseBetweenMs: nonNegative(tx.pauseBetweenMs ?? 10_000, 'pauseBetweenMs'),
      maxTransactions: tx.maxTransactions ?? Number.POSITIVE_INFINITY,
      powerW: positive(tx.powerW ?? 11_000, 'powerW'),
      idTokens:
        options.idTokens !== undefined && options.idTokens.length > 0
          ? options.idTokens
          : [defaultIdToken(options.identity)],
    },
    reconnect: {
      reconnectMinMs,
      reconnectMaxMs: Math.max(reconnectMinMs, options.reconnectMaxMs ?? 30_000),
      rebootOnReconnect: options.rebootOnReconnect ?? false,
      heartbeatOverride: options.heartbeatIntervalSec,
    },
    maxQueuedTransactionMessages: positive(options.maxQueuedTransactionMessages ?? 1_000, 'maxQueued'),
    connectors: positive(options.connectors ?? 1, 'connectors'),
  };
}

function wsOptions(options: StationOptions, callTimeoutMs: number): ClientOptions {
  return {
    perMessageDeflate: false,
    maxPayload: MAX_PAYLOAD,
    handshakeTimeout: callTimeoutMs,
    followRedirects: false,
    ...(options.password !== undefined
      ? {
          headers: {
            authorization: `Basic ${Buffer.from(`${options.identity}:${options.password}`).toString('base64')}`,
          },
        }
      : {}),
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
  };
}

/** The station's connectors, idle and operative. */
export function createConnectors(identity: string, count: number): Connector[] {
  // Registers start at a per-station value (data that looks like a real fleet); within a connector
  // every reading is distinct anyway because the register only grows.
  const base =
    1_000 + (Number.parseInt(createHash('sha1').update(identity).digest('hex').slice(0, 6), 16) % 100_000);
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    operative: true,
    pendingInoperative: false,
    tx: undefined,
    register: base,
    cycleTimer: undefined,
    authorizing: false,
  }));
}

/**
 * The token a station presents by default: its identity when that fits a 1.6 idTag (CiString20), else a
 * 20-character digest of it. One token per station: a token shared by stations would be ConcurrentTx.
 */
export function defaultIdToken(identity: string): string {
  if (identity.length <= 20) return identity;
  return createHash('sha1').update(identity).digest('hex').slice(0, 20).toUpperCase();
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be > 0, got ${value}`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be >= 0, got ${value}`);
  return value;
}
