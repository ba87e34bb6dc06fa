import { hostname } from 'node:os';
import { ConfigError } from './config-error.js';
import {
  contractCertificateSettings,
  type ContractCertificateSettings,
} from './contract-certificate-settings.js';
import { EnvReader } from './env.js';

export type BootPolicy = 'Accepted' | 'Pending' | 'Rejected';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Everything the CSMS reads from its environment. Documented in docs/configuration.md. */
export interface CsmsConfig {
  readonly edge: {
    readonly host: string;
    readonly port: number;
    /**
     * The station port's TLS files. `certFile`/`keyFile` hold either key type; `ecdsa` (CSMS_TLS_ECDSA_*) is a second
     * certificate with an ECDSA key, next to an RSA main pair, so that both the ECDSA and the RSA cipher suites OCPP
     * requires are offered (2.0.1 A00.FR.318 / A00.FR.421: "the CSMS will have to provide 2 different certificates").
     */
    readonly tls?: EdgeTlsFiles;
    /** How often the edge re-reads its TLS files and applies a changed certificate (0 = only on SIGHUP). */
    readonly tlsReloadIntervalSec: number;
    readonly maxPayloadBytes: number;
    readonly pingIntervalSec: number;
    readonly maxConnections?: number;
    readonly autoRegister: boolean;
    readonly shutdownGraceMs: number;
    /** Station CALLs a connection keeps waiting behind the one in flight (overlapping CALLs); more are refused. */
    readonly maxQueuedStationCalls: number;
  };
  /** The local admin HTTP endpoint (health, CSMS-initiated commands); port 0 disables it. */
  readonly admin: { readonly host: string; readonly port: number; readonly token?: string };
  readonly database:
    | {
        readonly kind: 'postgres';
        readonly url: string;
        readonly poolSize?: number;
        /** Named prepared statements (off behind a pooler that cannot keep them, e.g. PgBouncer < 1.21 in transaction mode). */
        readonly preparedStatements?: boolean;
        /** Group the autocommit actions' single statements into shared round trips and commits (embedded mode). */
        readonly groupCommit?: boolean;
        /** Group commit: batches on their way at once, each on its own pooled connection. */
        readonly groupCommitBatches?: number;
      }
    | { readonly kind: 'pglite'; readonly dataDir: string };
  /** Distributed mode: the NATS server(s) (comma-separated URLs). */
  readonly natsUrl?: string;
  /** This process's id in the cluster (edge id / worker id); default `<hostname>-<pid>`. */
  readonly nodeId: string;
  /** Distributed mode: a worker's partition leases expire this long after its last renewal. */
  readonly leaseTtlMs: number;
  /** PostgreSQL connections per process. */
  readonly databasePoolSize: number;
  readonly seedFile?: string;
  readonly boot: {
    readonly defaultPolicy: BootPolicy;
    readonly heartbeatIntervalSec: number;
    readonly retryIntervalSec: number;
  };
  /**
   * Early refusal under overload (CSMS_OVERLOAD_*): a worker whose fastest station CALL of each of two
   * consecutive `windowMs` windows took longer than `targetMs` answers new BootNotifications Pending with a
   * retry interval in [bootIntervalSec, 2 × bootIntervalSec). `targetMs` 0: off.
   */
  readonly overload: {
    readonly targetMs: number;
    readonly windowMs: number;
    readonly bootIntervalSec: number;
  };
  readonly maxConnectorId: number;
  readonly commandTimeoutMs: number;
  /**
   * When an id token is ConcurrentTx: it may have `maxConcurrentPerToken` active transactions, and an
   * active transaction silent for longer than `ignoreSilentAfterMs` (its station probably lost the stop)
   * does not count (CSMS_CONCURRENT_TX_LIMIT, CSMS_CONCURRENT_TX_IGNORE_SILENT_AFTER).
   */
  readonly concurrency: { readonly maxConcurrentPerToken: number; readonly ignoreSilentAfterMs?: number };
  /**
   * The gRPC APIs (station API and the domain services). Port 0 = any free port; in the embedded process
   * `enabled: false` (CSMS_GRPC_PORT=off) leaves them out.
   */
  readonly grpc: {
    readonly enabled: boolean;
    readonly host: string;
    readonly port: number;
    /** Bearer token every API call must carry (CSMS_API_TOKEN); none = no token check. */
    readonly token?: string;
    /** TLS for the gRPC server (and, with `caFile`, mutual TLS: clients need a certificate from that CA). */
    readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile?: string };
  };
  /** Firmware and log campaigns: a station that took the command and then reports nothing this long fails. */
  readonly firmware: { readonly statusTimeoutSec: number };
  /**
   * Distributed mode: where the domain services run (host:port). Workers call `auth` and `transaction`
   * there; the `api` role forwards the calls for every service whose address is set, so that clients
   * need one address (it serves the others itself).
   */
  readonly services: {
    /**
     * How distributed workers reach the auth and transaction domains (CSMS_WORKER_DOMAINS): `grpc` calls the
     * services at authUrl / transactionUrl, `in-process` runs the same domain code in the actor's fenced
     * transaction (the services still serve the API). Default: `grpc` when both addresses are set.
     */
    readonly workerDomains: 'grpc' | 'in-process';
    readonly authUrl?: string;
    readonly transactionUrl?: string;
    readonly firmwareUrl?: string;
    readonly smartChargingUrl?: string;
    readonly reservationUrl?: string;
  };
  /** The per-process HTTP endpoint for /metrics, /healthz, /readyz (port 0 = any free port; off = none). */
  readonly metrics: { readonly enabled: boolean; readonly host: string; readonly port: number };
  /** OpenTelemetry traces: off (default) or exported over OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly tracing: 'off' | 'otlp';
  /** Migrate the database schema at start (false when a release job migrates: Kubernetes). */
  readonly migrateOnStart: boolean;
  readonly dataTransferVendors: readonly string[];
  readonly log: { readonly level: LogLevel };
  /** Station certificates (SignCertificate / CertificateSigned, renewal): the CA and the renewal schedule. */
  readonly stationCertificates: StationCertificateSettings;
  /** OCSP requests for certificate statuses (GetCertificateStatus M06, contract certificates at Authorize C07). */
  readonly ocsp: OcspSettings;
  /** The contract certificate backend of ISO 15118 certificate installation / update (M01/M02, CSMS_CONTRACT_CERT_*). */
  readonly contractCertificates: ContractCertificateSettings;
  /** How long station history is kept (the api role's retention sweep). */
  readonly retention: RetentionSettings;
}

/** CSMS_REPORT_RETENTION_DAYS, CSMS_SECURITY_EVENT_RETENTION_DAYS, CSMS_RETENTION_INTERVAL. */
export interface RetentionSettings {
  /** Days stored notifications, device and monitor events and report bookkeeping are kept (0: forever). */
  readonly historyDays: number;
  /** Days the security event log is kept (0: forever). */
  readonly securityEventDays: number;
  /** Seconds between sweeps (0: no sweep). */
  readonly intervalSec: number;
}

/** CSMS_OCSP_*: how the CSMS asks OCSP responders. */
export interface OcspSettings {
  /** Bound on one responder exchange, ms (CSMS_OCSP_TIMEOUT, seconds). */
  readonly timeoutMs: number;
  /** How long an answer is reused at most, s (CSMS_OCSP_CACHE_SECONDS; an earlier nextUpdate wins). */
  readonly cacheSeconds: number;
  /** URL prefixes a responder must start with (CSMS_OCSP_RESPONDERS, comma-separated; empty: any). */
  readonly responders: readonly string[];
  /**
   * PEM file of the V2G and MO root certificates a contract certificate chain a station passes for central
   * validation must lead to (CSMS_CONTRACT_ROOTS_FILE; 2.0.1 C07.FR.06). Unset: such chains are CertChainError.
   */
  readonly contractRootsFile?: string;
}

/** How station CSRs are signed (CSMS_STATION_CA_*) and when installed certificates are renewed (CSMS_CERT_RENEWAL_*). */
export interface StationCertificateSettings {
  /**
   * The signer: the built-in CA from PEM files, an external CA program, or none (SignCertificate is then answered
   * Rejected).
   */
  readonly signer:
    | { readonly kind: 'files'; readonly certFile: string; readonly keyFile: string }
    | {
        readonly kind: 'command';
        readonly command: readonly [string, ...string[]];
        readonly timeoutMs: number;
      }
    | { readonly kind: 'none' };
  /** Validity of a certificate the built-in CA issues (days). */
  readonly validityDays: number;
  /**
   * The V2G (ISO 15118 SECC) certificates' signer: the built-in V2G sub-CA from PEM files, or none; an external
   * program (`signer` of kind `command`) signs both kinds when no V2G files are set (it is told the type).
   */
  readonly v2gSigner:
    | { readonly kind: 'files'; readonly certFile: string; readonly keyFile: string }
    | { readonly kind: 'none' };
  /** Validity of a V2G certificate the built-in V2G sub-CA issues (days). */
  readonly v2gValidityDays: number;
  /** The organization (O) a station's CSR must carry; unset: any. */
  readonly organization?: string;
  /** Renew an installed certificate this many days before it expires (A03.FR.02: one month). */
  readonly renewalDaysBefore: number;
  /** How often the renewal scheduler looks (s); 0: never. */
  readonly renewalCheckIntervalSec: number;
}

type Env = Readonly<Record<string, string | undefined>>;
type TlsFiles = { readonly certFile: string; readonly keyFile: string; readonly caFile?: string };
/** The edge's TLS files: the main pair, the optional ECDSA pair and the station CA. */
type EdgeTlsFiles = TlsFiles & { readonly ecdsa?: { readonly certFile: string; readonly keyFile: string } };

/**
 * Reads the configuration from environment variables; throws {@link ConfigError} listing every
 * invalid value.
 */
/** Where the domain services run and how workers reach auth and transaction (CSMS_WORKER_DOMAINS). */
function serviceAddresses(r: EnvReader): CsmsConfig['services'] {
  return {
    workerDomains: r.oneOf<'grpc' | 'in-process'>(
      'CSMS_WORKER_DOMAINS',
      r.string('CSMS_AUTH_URL') || r.string('CSMS_TRANSACTION_URL') ? 'grpc' : 'in-process',
      ['grpc', 'in-process'],
    ),
    ...(r.string('CSMS_AUTH_URL') ? { authUrl: r.string('CSMS_AUTH_URL') } : {}),
    ...(r.string('CSMS_TRANSACTION_URL') ? { transactionUrl: r.string('CSMS_TRANSACTION_URL') } : {}),
    ...(r.string('CSMS_FIRMWARE_URL') ? { firmwareUrl: r.string('CSMS_FIRMWARE_URL') } : {}),
    ...(r.string('CSMS_SMART_CHARGING_URL') ? { smartChargingUrl: r.string('CSMS_SMART_CHARGING_URL') } : {}),
    ...(r.string('CSMS_RESERVATION_URL') ? { reservationUrl: r.string('CSMS_RESERVATION_URL') } : {}),
  };
}

export function loadConfig(env: Env = process.env): CsmsConfig {
  const r = new EnvReader(env);
  // The readers record problems in the order they run: keep it (the error lists them in that order).
  const edgeTls = edgeTlsFiles(r);
  const apiTls = tlsFiles(r, 'CSMS_API_TLS', '');
  const maxConnections = r.int('CSMS_MAX_CONNECTIONS', 0, { min: 0, max: 10_000_000 });
  const databaseUrl = r.string('CSMS_DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    r.problems.push('CSMS_DATABASE_URL: expected a postgres:// or postgresql:// URL');
  }
  const config: CsmsConfig = {
    edge: edgeSettings(r, edgeTls, maxConnections),
    admin: {
      host: r.string('CSMS_ADMIN_HOST', '127.0.0.1'),
      port: r.int('CSMS_ADMIN_PORT', 9080, { min: 0, max: 65535 }),
      ...(r.string('CSMS_ADMIN_TOKEN') ? { token: r.string('CSMS_ADMIN_TOKEN') } : {}),
    },
    database: databaseUrl
      ? {
          kind: 'postgres',
          url: databaseUrl,
          poolSize: r.int('CSMS_DATABASE_POOL_SIZE', 10, { min: 1, max: 1000 }),
          preparedStatements: r.bool('CSMS_DATABASE_PREPARED_STATEMENTS', true),
          groupCommit: r.bool('CSMS_DATABASE_GROUP_COMMIT', true),
          groupCommitBatches: r.int('CSMS_DATABASE_GROUP_COMMIT_BATCHES', 8, { min: 1, max: 1000 }),
        }
      : { kind: 'pglite', dataDir: r.string('CSMS_DATA_DIR', './data') },
    ...(r.string('CSMS_SEED_FILE') ? { seedFile: r.string('CSMS_SEED_FILE') } : {}),
    ...(r.string('CSMS_NATS_URL') ? { natsUrl: r.string('CSMS_NATS_URL') } : {}),
    nodeId: r.string('CSMS_NODE_ID', `${hostname()}-${process.pid}`),
    leaseTtlMs: r.int('CSMS_LEASE_TTL_MS', 3000, { min: 1000, max: 60_000 }),
    databasePoolSize: r.int('CSMS_DATABASE_POOL_SIZE', 10, { min: 1, max: 1000 }),
    boot: bootSettings(r),
    overload: overloadSettings(r),
    grpc: grpcSettings(r, env, apiTls),
    firmware: {
      statusTimeoutSec: r.int('CSMS_FIRMWARE_STATUS_TIMEOUT', 86_400, { min: 60, max: 30 * 86_400 }),
    },
    services: serviceAddresses(r),
    metrics: {
      enabled: env.CSMS_METRICS_PORT !== 'off',
      host: r.string('CSMS_METRICS_HOST', '0.0.0.0'),
      port: env.CSMS_METRICS_PORT === 'off' ? 0 : r.int('CSMS_METRICS_PORT', 9464, { min: 0, max: 65535 }),
    },
    tracing: r.oneOf<'off' | 'otlp'>('CSMS_TRACING', 'off', ['off', 'otlp']),
    migrateOnStart: r.bool('CSMS_DB_MIGRATE', true),
    maxConnectorId: r.int('CSMS_MAX_CONNECTOR_ID', 128, { min: 1, max: 100_000 }),
    commandTimeoutMs: r.int('CSMS_COMMAND_TIMEOUT_MS', 30_000, { min: 100, max: 600_000 }),
    concurrency: concurrencySettings(r),
    dataTransferVendors: r.list('CSMS_DATA_TRANSFER_VENDORS'),
    stationCertificates: stationCertificateSettings(r),
    ocsp: ocspSettings(r),
    contractCertificates: contractCertificateSettings(r),
    retention: {
      historyDays: r.int('CSMS_REPORT_RETENTION_DAYS', 90, { min: 0, max: 36_500 }),
      securityEventDays: r.int('CSMS_SECURITY_EVENT_RETENTION_DAYS', 365, { min: 0, max: 36_500 }),
      intervalSec: r.int('CSMS_RETENTION_INTERVAL', 3600, { min: 0, max: 86_400 }),
    },
    log: {
      level: r.oneOf<LogLevel>('CSMS_LOG_LEVEL', 'info', [
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    },
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** CSMS_OCSP_* and CSMS_CONTRACT_ROOTS_FILE. */
function ocspSettings(r: EnvReader): OcspSettings {
  const contractRootsFile = r.string('CSMS_CONTRACT_ROOTS_FILE');
  return {
    timeoutMs: r.int('CSMS_OCSP_TIMEOUT', 5, { min: 1, max: 60 }) * 1000,
    cacheSeconds: r.int('CSMS_OCSP_CACHE_SECONDS', 3600, { min: 0, max: 7 * 86_400 }),
    responders: r.list('CSMS_OCSP_RESPONDERS'),
    ...(contractRootsFile ? { contractRootsFile } : {}),
  };
}

/** CSMS_STATION_CA_CERT_FILE / _KEY_FILE (both or neither) or CSMS_STATION_CA_COMMAND, and the renewal settings. */
function stationCertificateSettings(r: EnvReader): StationCertificateSettings {
  const certFile = r.string('CSMS_STATION_CA_CERT_FILE');
  const keyFile = r.string('CSMS_STATION_CA_KEY_FILE');
  const command = r.list('CSMS_STATION_CA_COMMAND', ' ');
  const timeoutMs = r.int('CSMS_STATION_CA_COMMAND_TIMEOUT', 10, { min: 1, max: 300 }) * 1000;
  let signer: StationCertificateSettings['signer'] = { kind: 'none' };
  if ((certFile === undefined) !== (keyFile === undefined))
    r.problems.push('CSMS_STATION_CA_CERT_FILE and CSMS_STATION_CA_KEY_FILE: set both or neither');
  else if (certFile !== undefined && keyFile !== undefined) {
    if (command.length > 0)
      r.problems.push(
        'CSMS_STATION_CA_COMMAND: set either it or CSMS_STATION_CA_CERT_FILE / _KEY_FILE, not both',
      );
    signer = { kind: 'files', certFile, keyFile };
  } else if (command.length > 0) {
    signer = { kind: 'command', command: command as [string, ...string[]], timeoutMs };
  }
  const v2gCertFile = r.string('CSMS_V2G_CA_CERT_FILE');
  const v2gKeyFile = r.string('CSMS_V2G_CA_KEY_FILE');
  if ((v2gCertFile === undefined) !== (v2gKeyFile === undefined))
    r.problems.push('CSMS_V2G_CA_CERT_FILE and CSMS_V2G_CA_KEY_FILE: set both or neither');
  const v2gSigner: StationCertificateSettings['v2gSigner'] =
    v2gCertFile !== undefined && v2gKeyFile !== undefined
      ? { kind: 'files', certFile: v2gCertFile, keyFile: v2gKeyFile }
      : { kind: 'none' };
  const organization = r.string('CSMS_STATION_CERT_ORGANIZATION');
  const validityDays = r.int('CSMS_STATION_CERT_VALIDITY_DAYS', 365, { min: 1, max: 3650 });
  const renewalDaysBefore = r.int('CSMS_CERT_RENEWAL_DAYS', 30, { min: 1, max: 3650 });
  // Otherwise every certificate the built-in CA issues would be due for renewal at once, again and again.
  if (signer.kind === 'files' && renewalDaysBefore >= validityDays)
    r.problems.push(
      `CSMS_CERT_RENEWAL_DAYS (${renewalDaysBefore}) must be less than CSMS_STATION_CERT_VALIDITY_DAYS (${validityDays})`,
    );
  return {
    signer,
    validityDays,
    v2gSigner,
    v2gValidityDays: r.int('CSMS_V2G_CERT_VALIDITY_DAYS', 60, { min: 1, max: 3650 }),
    ...(organization ? { organization } : {}),
    renewalDaysBefore,
    renewalCheckIntervalSec: r.int('CSMS_CERT_RENEWAL_CHECK_INTERVAL', 3600, { min: 0, max: 86_400 }),
  };
}

/** `<prefix>_CERT_FILE`, `_KEY_FILE` (both or neither) and `_CA_FILE` (only with the other two). */
function tlsFiles(r: EnvReader, prefix: string, caHint: string): TlsFiles | undefined {
  const certFile = r.string(`${prefix}_CERT_FILE`);
  const keyFile = r.string(`${prefix}_KEY_FILE`);
  const caFile = r.string(`${prefix}_CA_FILE`);
  if ((certFile === undefined) !== (keyFile === undefined))
    r.problems.push(`${prefix}_CERT_FILE and ${prefix}_KEY_FILE must be set together`);
  if (caFile && !certFile)
    r.problems.push(`${prefix}_CA_FILE needs ${prefix}_CERT_FILE and ${prefix}_KEY_FILE${caHint}`);
  return certFile && keyFile ? { certFile, keyFile, ...(caFile ? { caFile } : {}) } : undefined;
}

/**
 * The edge's files: {@link tlsFiles} plus CSMS_TLS_ECDSA_CERT_FILE / _KEY_FILE (both or neither, and only with the
 * main pair). That the main pair is then RSA and this one ECDSA is checked when the files are read.
 */
function edgeTlsFiles(r: EnvReader): EdgeTlsFiles | undefined {
  const main = tlsFiles(r, 'CSMS_TLS', ' (TLS)');
  const certFile = r.string('CSMS_TLS_ECDSA_CERT_FILE');
  const keyFile = r.string('CSMS_TLS_ECDSA_KEY_FILE');
  if ((certFile === undefined) !== (keyFile === undefined))
    r.problems.push('CSMS_TLS_ECDSA_CERT_FILE and CSMS_TLS_ECDSA_KEY_FILE must be set together');
  else if (certFile && !main)
    r.problems.push(
      'CSMS_TLS_ECDSA_CERT_FILE and CSMS_TLS_ECDSA_KEY_FILE need CSMS_TLS_CERT_FILE and CSMS_TLS_KEY_FILE ' +
        '(the RSA pair); a single ECDSA certificate goes in CSMS_TLS_CERT_FILE and CSMS_TLS_KEY_FILE',
    );
  return main && certFile && keyFile ? { ...main, ecdsa: { certFile, keyFile } } : main;
}

function edgeSettings(
  r: EnvReader,
  tls: EdgeTlsFiles | undefined,
  maxConnections: number,
): CsmsConfig['edge'] {
  return {
    host: r.string('CSMS_HOST', '0.0.0.0'),
    port: r.int('CSMS_PORT', 9000, { min: 0, max: 65535 }),
    ...(tls ? { tls } : {}),
    tlsReloadIntervalSec: r.int('CSMS_TLS_RELOAD_INTERVAL', 60, { min: 0, max: 86_400 }),
    maxPayloadBytes: r.int('CSMS_MAX_PAYLOAD_BYTES', 65_536, { min: 1024, max: 16 * 1024 * 1024 }),
    pingIntervalSec: r.int('CSMS_PING_INTERVAL', 30, { min: 0, max: 3600 }),
    ...(maxConnections > 0 ? { maxConnections } : {}),
    autoRegister: r.bool('CSMS_AUTO_REGISTER', true),
    shutdownGraceMs: r.int('CSMS_SHUTDOWN_GRACE_MS', 10_000, { min: 0, max: 600_000 }),
    maxQueuedStationCalls: r.int('CSMS_MAX_QUEUED_STATION_CALLS', 8, { min: 0, max: 64 }),
  };
}

function bootSettings(r: EnvReader): CsmsConfig['boot'] {
  return {
    defaultPolicy: r.oneOf<BootPolicy>('CSMS_BOOT_DEFAULT', 'Accepted', ['Accepted', 'Pending', 'Rejected']),
    heartbeatIntervalSec: r.int('CSMS_HEARTBEAT_INTERVAL', 300, { min: 1, max: 86_400 }),
    retryIntervalSec: r.int('CSMS_BOOT_RETRY_INTERVAL', 60, { min: 0, max: 86_400 }),
  };
}

function overloadSettings(r: EnvReader): CsmsConfig['overload'] {
  return {
    targetMs: r.int('CSMS_OVERLOAD_TARGET_MS', 50, { min: 0, max: 60_000 }),
    windowMs: r.int('CSMS_OVERLOAD_WINDOW_MS', 1000, { min: 100, max: 60_000 }),
    bootIntervalSec: r.int('CSMS_OVERLOAD_BOOT_INTERVAL', 5, { min: 1, max: 3600 }),
  };
}

function concurrencySettings(r: EnvReader): CsmsConfig['concurrency'] {
  // Seconds; 0 (the default) = every active transaction counts, however long it has been silent.
  const silentSec = r.int('CSMS_CONCURRENT_TX_IGNORE_SILENT_AFTER', 0, { min: 0, max: 30 * 86_400 });
  return {
    maxConcurrentPerToken: r.int('CSMS_CONCURRENT_TX_LIMIT', 1, { min: 1, max: 1000 }),
    ...(silentSec > 0 ? { ignoreSilentAfterMs: silentSec * 1000 } : {}),
  };
}

function grpcSettings(r: EnvReader, env: Env, tls: TlsFiles | undefined): CsmsConfig['grpc'] {
  return {
    enabled: env.CSMS_GRPC_PORT !== 'off',
    host: r.string('CSMS_GRPC_HOST', '127.0.0.1'),
    port: env.CSMS_GRPC_PORT === 'off' ? 0 : r.int('CSMS_GRPC_PORT', 50051, { min: 0, max: 65535 }),
    ...(r.string('CSMS_API_TOKEN') ? { token: r.string('CSMS_API_TOKEN') } : {}),
    ...(tls ? { tls } : {}),
  };
}
