import type { SecureVersion } from 'node:tls';
import type { Bus } from '@csms/bus';
import type { OcppValidator } from '@csms/ocpp';
import type { CsmsMetrics } from '@csms/telemetry';
import type { Logger } from './logger.js';
import type { StationCredentialStore } from './station-credential-store.js';

/** TLS settings of the edge (security profiles 2 and 3). */
export interface EdgeTlsOptions {
  /**
   * PEM private key of the CSMS certificate; with two certificates, their two keys (one RSA, one ECDSA: OpenSSL picks
   * the certificate per handshake from the cipher suites and signature algorithms the station offers).
   */
  readonly key: string | Buffer | ReadonlyArray<string | Buffer>;
  /**
   * PEM CSMS certificate (chain), or one chain per key of different key types: OCPP requires both the ECDSA and
   * the RSA TLS 1.2 suites (2.0.1 A00.FR.318 / A00.FR.421), which take an ECDSA and an RSA certificate.
   */
  readonly cert: string | Buffer | ReadonlyArray<string | Buffer>;
  /** PEM CA certificate(s) that station client certificates must chain to (security profile 3). */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /**
   * Ask stations for a client certificate (default true). The TLS handshake never fails on a missing or untrusted
   * certificate (`rejectUnauthorized: false`): the edge decides per station at the upgrade, because profile 1/2
   * stations share the port with profile 3 ones.
   */
  readonly requestClientCert?: boolean;
  /** Lowest TLS version (default TLSv1.2: A00.FR.313 / A00.FR.416 "SHALL only use TLS v1.2 or above"). */
  readonly minVersion?: SecureVersion;
}

/** Options of {@link EdgeServer}. */
export interface EdgeOptions {
  /** This edge's id, stamped on bus messages so replies and events can be traced to it. */
  readonly edgeId: string;
  /** Interface to listen on (default '0.0.0.0'). */
  readonly host?: string;
  /** Port (default 9000; 0 picks a free one, see `start()`'s result). */
  readonly port?: number;
  /** Serve wss (HTTPS) instead of ws. */
  readonly tls?: EdgeTlsOptions;
  readonly bus: Bus;
  /** Schema validator; call `precompileAll()` on it at startup to pay the compile cost before traffic. */
  readonly validator: OcppValidator;
  readonly credentials: StationCredentialStore;
  /** Accept and register unknown stations instead of refusing them with 404 (default false). */
  readonly autoRegister?: boolean;
  readonly logger?: Logger;
  /** Interval of the one shared WebSocket ping round (default 30 000; 0 disables). */
  readonly pingIntervalMs?: number;
  /** How long the edge waits for the actor's answer to a station CALL (default 30 000). */
  /**
   * Timeout of one attempt to reach the station's actor (default 5 s). A CALL nobody answers is
   * retried (fail-over, hand-over) until `stationCallTimeoutMs`, then answered with InternalError.
   */
  readonly stationCallAttemptTimeoutMs?: number;
  readonly stationCallTimeoutMs?: number;
  /**
   * A station CALL outstanding this long is taken as timed out by the station when it sends a new one: its answer
   * is not sent, and the CALLs after it are handled without waiting for it (default 10 000; see InboundExchanges).
   */
  readonly abandonInboundAfterMs?: number;
  /**
   * Longest accepted station identity (default and upper bound: `MAX_STATION_ID_LENGTH` of `@csms/ocpp`, 48, OCPP-2.0.1
   * part 4 §3.1.1). It may lower the limit, never raise it: the APIs refuse longer ids.
   */
  readonly maxStationIdLength?: number;
  /** Upgrades beyond this many connections (including handshakes in progress) are refused with 503. */
  readonly maxConnections?: number;
  /** Largest accepted WebSocket message in bytes (default 64 KiB); larger ones close the socket with 1009. */
  readonly maxPayload?: number;
  /**
   * Station CALLs that may wait behind the one in flight, per connection (default 8): a station that sends a CALL
   * before its previous one is answered has it processed in order; beyond this many it is refused (GenericError).
   */
  readonly maxQueuedStationCalls?: number;
  /** CSMS CALLs that may wait behind the outstanding one per station (default 16). */
  readonly maxQueuedCsmsCalls?: number;
  /** Instruments (from `startTelemetry`); default: no-ops. Spans go through the OpenTelemetry API. */
  readonly metrics?: CsmsMetrics;
}

/** Options of {@link EdgeServer.stop}. */
export interface EdgeStopOptions {
  /** How long to wait for exchanges in flight before closing the sockets (default 10 000). */
  readonly graceMs?: number;
}
