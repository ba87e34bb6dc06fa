import { jetstreamManager } from '@nats-io/jetstream';
import type { ConnectionOptions, NatsConnection, ServerInfo } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { BusError } from '../errors.js';

/**
 * The oldest nats-server the CSMS accepts. 2.11 brought per-message TTL (`Nats-TTL`) and KV per-key
 * TTL (`markerTTL`), on which worker leases rely; older servers accept those options and silently
 * ignore them, so a lease would never expire and a dead worker's stations would never be taken over.
 */
export const MIN_NATS_SERVER_VERSION = '2.11.0';

/** The connected nats-server is older than {@link MIN_NATS_SERVER_VERSION}. */
export class NatsServerTooOldError extends BusError {
  override name = 'NatsServerTooOldError';
  constructor(
    readonly foundVersion: string,
    readonly requiredVersion: string = MIN_NATS_SERVER_VERSION,
  ) {
    super(
      `nats-server ${foundVersion} is too old: the CSMS needs >= ${requiredVersion}, because its leases use ` +
        `per-key TTL (KV markerTTL / Nats-TTL), which older servers silently ignore (leases would never expire)`,
    );
  }
}

/** The connected nats-server (or this connection's account) has no JetStream. */
export class JetStreamUnavailableError extends BusError {
  override name = 'JetStreamUnavailableError';
  constructor(detail: string, options?: ErrorOptions) {
    super(`JetStream is not available on the NATS server (${detail}); start nats-server with -js`, options);
  }
}

interface ParsedVersion {
  readonly core: readonly [number, number, number];
  readonly prerelease: string | undefined;
}

function parseVersion(version: string): ParsedVersion | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(version.trim());
  if (!m) return undefined;
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], prerelease: m[4] };
}

/**
 * Compares two nats-server versions (`2.9.10`, `v2.11.0`, `2.12.0-RC.1`) numerically per component;
 * a pre-release sorts before its release (semver). Returns a negative number, 0 or a positive number.
 * Throws on a string that is not a version, so a garbled INFO never passes a feature check by accident.
 */
export function compareServerVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa) throw new TypeError(`not a server version: '${a}'`);
  if (!pb) throw new TypeError(`not a server version: '${b}'`);
  for (let i = 0; i < 3; i++) {
    const d = (pa.core[i] ?? 0) - (pb.core[i] ?? 0);
    if (d !== 0) return d;
  }
  if (pa.prerelease === pb.prerelease) return 0;
  if (pa.prerelease === undefined) return 1;
  if (pb.prerelease === undefined) return -1;
  return pa.prerelease < pb.prerelease ? -1 : 1;
}

/** True when `version` is at least `minimum` (default {@link MIN_NATS_SERVER_VERSION}); false if unparsable. */
export function isServerVersionAtLeast(version: string, minimum: string = MIN_NATS_SERVER_VERSION): boolean {
  if (!parseVersion(version)) return false;
  return compareServerVersions(version, minimum) >= 0;
}

/**
 * Checks the server's INFO without any round trip: version >= {@link MIN_NATS_SERVER_VERSION} and the
 * JetStream flag. Throws {@link NatsServerTooOldError} or {@link JetStreamUnavailableError}.
 */
export function assertServerInfo(info: Pick<ServerInfo, 'version' | 'jetstream'> | undefined): void {
  if (!info) throw new BusError('not connected to a NATS server (no server INFO yet)');
  if (!isServerVersionAtLeast(info.version)) throw new NatsServerTooOldError(info.version);
  if (info.jetstream !== true)
    throw new JetStreamUnavailableError('the server INFO does not announce JetStream');
}

/**
 * Refuses a server the CSMS cannot run on: too old for per-key TTL ({@link NatsServerTooOldError}) or
 * without JetStream ({@link JetStreamUnavailableError}). Besides the INFO flags it asks the JetStream API
 * for the account's info, because a server can run JetStream while this connection's account has none.
 */
export async function assertServerFeatures(nc: NatsConnection): Promise<void> {
  assertServerInfo(nc.info);
  try {
    await jetstreamManager(nc, { checkAPI: true, timeout: 5_000 });
  } catch (error) {
    throw new JetStreamUnavailableError(
      `the JetStream API did not answer: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** Options of {@link connectNats}. */
export interface ConnectNatsOptions {
  /** Server URL(s), e.g. `nats://nats:4222`; with several, the client picks one and fails over. */
  readonly servers: string | readonly string[];
  /** Connection name shown by the server's monitoring (e.g. `edge-<pod>`), to tell clients apart. */
  readonly name: string;
  /** Base delay between reconnect attempts to the same server. Default 1000 ms. */
  readonly reconnectTimeWaitMs?: number;
  /**
   * Upper bound of the random delay added to each reconnect attempt. Default 1000 ms: when a NATS pod
   * restarts, every CSMS pod reconnects at once, and the jitter spreads that thundering herd.
   */
  readonly reconnectJitterMs?: number;
  /**
   * Keep retrying the first connection too, instead of failing at once when no server is reachable.
   * Default false: a process that cannot reach NATS at startup should say so rather than hang.
   */
  readonly waitOnFirstConnect?: boolean;
  /** Run {@link assertServerFeatures} after connecting (and close the connection if it fails). Default true. */
  readonly checkServerFeatures?: boolean;
  /** Further client options (authentication, TLS, ...); the ones above take precedence. */
  readonly connectionOptions?: Omit<ConnectionOptions, 'servers' | 'name'>;
}

/**
 * Connects to NATS for the CSMS: reconnects forever (a CSMS process must survive NATS restarts and
 * rolling upgrades without being restarted itself), with jitter, and refuses servers that lack the
 * features the CSMS needs (see {@link assertServerFeatures}).
 */
export async function connectNats(options: ConnectNatsOptions): Promise<NatsConnection> {
  const servers = typeof options.servers === 'string' ? options.servers : [...options.servers];
  const jitter = options.reconnectJitterMs ?? 1_000;
  const nc = await connect({
    // Detect a silently dead server (no FIN, e.g. a partitioned node) in about a minute instead of the
    // client's default of four.
    pingInterval: 20_000,
    maxPingOut: 3,
    // Without this the client builds two Error objects (a RequestError and a TimeoutError, each capturing a
    // stack trace) for every request, to tell where a request that later fails was started: 14% of a
    // distributed edge's busy time in its CPU profile, for errors that are almost never thrown. The bus's own
    // requests no longer use the client's request() (see ReplyInbox); JetStream and KV calls still do. Failed
    // requests still reject with their type (timeout, no responders), which is what callers map and log.
    noAsyncTraces: true,
    ...options.connectionOptions,
    servers,
    name: options.name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? 1_000,
    reconnectJitter: jitter,
    reconnectJitterTLS: jitter,
    waitOnFirstConnect: options.waitOnFirstConnect ?? false,
  });
  if (options.checkServerFeatures ?? true) {
    try {
      await assertServerFeatures(nc);
    } catch (error) {
      await nc.close().catch(() => {});
      throw error;
    }
  }
  return nc;
}
