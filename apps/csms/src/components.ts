import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { StationApi, type Bus } from '@csms/bus';
import { ConfigError, type CsmsConfig } from '@csms/config';
import type { EdgeOptions, EdgeServer, EdgeTlsOptions, StationCredentialStore } from '@csms/edge';
import { findQueuedCommand, setBootPolicy, type Database, type Kysely } from '@csms/db';
import type { OcppValidator } from '@csms/ocpp';
import {
  CommandCertificateSigner,
  CommandContractCertificateProvider,
  FileCertificateAuthority,
  HttpContractCertificateProvider,
  OcspClient,
  pemCertificates,
  type CertificateSigner,
  type CertificateSigners,
  type ContractCertificateProvider,
} from '@csms/station-ca';
import { traceHeaders, type CsmsMetrics, type Logger } from '@csms/telemetry';
import { defaultWorkerConfig, type WorkerConfig } from '@csms/worker';
import type { AdminServerOptions } from './admin-server.js';
import { contentsOf, edgeTlsOf, keyTypeProblems } from './edge-tls-identity.js';
import { startTlsReloader, type TlsFileContents, type TlsReloader } from './tls-reloader.js';

/** Building blocks shared by the embedded composition and the distributed roles. */

export function workerConfigFrom(config: CsmsConfig): Partial<WorkerConfig> {
  return {
    defaultBootPolicy: config.boot.defaultPolicy,
    heartbeatIntervalSec: config.boot.heartbeatIntervalSec,
    bootRetryIntervalSec: config.boot.retryIntervalSec,
    overload: {
      ...defaultWorkerConfig.overload,
      targetMs: config.overload.targetMs,
      windowMs: config.overload.windowMs,
    },
    overloadBootIntervalSec: config.overload.bootIntervalSec,
    maxConnectorId: config.maxConnectorId,
    commandTimeoutMs: config.commandTimeoutMs,
    dataTransferVendors: config.dataTransferVendors,
    stationCertificateOrganization: config.stationCertificates.organization,
  };
}

/**
 * The signers of station CSRs: charging station certificates by the built-in CA read from its files
 * (CSMS_STATION_CA_*) or an external CA program, V2G (ISO 15118 SECC) certificates by the built-in V2G sub-CA
 * (CSMS_V2G_CA_*) or the same external program; a type without a signer is refused. CA files that cannot be used
 * stop the start with the reason (a station would otherwise get Rejected answers nobody understands).
 */
export async function certificateSignersFrom(config: CsmsConfig): Promise<CertificateSigners> {
  const { signer, validityDays, v2gSigner, v2gValidityDays } = config.stationCertificates;
  const fromFiles = async (prefix: string, certFile: string, keyFile: string, days: number) => {
    try {
      return await FileCertificateAuthority.fromFiles(certFile, keyFile, { validityDays: days });
    } catch (error) {
      throw new ConfigError([`${prefix}_CERT_FILE / _KEY_FILE: ${(error as Error).message}`]);
    }
  };
  const station: CertificateSigner | undefined =
    signer.kind === 'files'
      ? await fromFiles('CSMS_STATION_CA', signer.certFile, signer.keyFile, validityDays)
      : signer.kind === 'command'
        ? new CommandCertificateSigner({ command: signer.command, timeoutMs: signer.timeoutMs })
        : undefined;
  const v2g =
    v2gSigner.kind === 'files'
      ? await fromFiles('CSMS_V2G_CA', v2gSigner.certFile, v2gSigner.keyFile, v2gValidityDays)
      : station instanceof CommandCertificateSigner
        ? station
        : undefined;
  return {
    ...(station ? { ChargingStationCertificate: station } : {}),
    ...(v2g ? { V2GCertificate: v2g } : {}),
  };
}

export function edgeOptionsFrom(
  config: CsmsConfig,
  parts: {
    edgeId: string;
    bus: Bus;
    validator: OcppValidator;
    credentials: StationCredentialStore;
    logger: Logger;
    tls: EdgeTlsOptions | undefined;
    metrics?: CsmsMetrics;
  },
): EdgeOptions {
  if (config.edge.autoRegister) {
    parts.logger.warn(
      'unknown stations are registered automatically on first connection (CSMS_AUTO_REGISTER=true); set CSMS_AUTO_REGISTER=false to refuse them',
    );
  }
  return {
    edgeId: parts.edgeId,
    host: config.edge.host,
    port: config.edge.port,
    ...(parts.tls ? { tls: parts.tls } : {}),
    bus: parts.bus,
    validator: parts.validator,
    credentials: parts.credentials,
    autoRegister: config.edge.autoRegister,
    logger: parts.logger, // the edge adds its own component binding
    maxPayload: config.edge.maxPayloadBytes,
    pingIntervalMs: config.edge.pingIntervalSec * 1000,
    maxQueuedStationCalls: config.edge.maxQueuedStationCalls,
    ...(config.edge.maxConnections ? { maxConnections: config.edge.maxConnections } : {}),
    ...(parts.metrics ? { metrics: parts.metrics } : {}),
  };
}

/** The admin endpoint over the bus and the database: the same in the embedded and distributed topologies. */
export function adminOptionsFrom(
  config: CsmsConfig,
  parts: { bus: Bus; db: Kysely<Database>; logger: Logger; port?: number },
): AdminServerOptions {
  return {
    host: config.admin.host,
    port: parts.port ?? config.admin.port,
    ...(config.admin.token ? { token: config.admin.token } : {}),
    stations: new StationApi(
      parts.bus,
      { queueWaitMs: 60_000, timeoutMs: config.commandTimeoutMs },
      // The worker's command span joins the trace of the gRPC or admin request (issue #5: gRPC -> NATS -> actor).
      { contextHeaders: () => traceHeaders() },
    ),
    setBootPolicy: (stationId, policy) => setBootPolicy(parts.db, stationId, policy),
    findCommand: (id) => findQueuedCommand(parts.db, id),
    logger: parts.logger.child({ component: 'admin' }),
  };
}

/**
 * Keeps the edge's TLS identity up to date with its files (CSMS_TLS_RELOAD_INTERVAL, SIGHUP): both certificates
 * when the ECDSA pair is set; undefined when the edge serves plain ws. `initial` is what the edge was started with.
 */
export function startEdgeTlsReloader(
  config: CsmsConfig,
  edge: EdgeServer,
  initial: EdgeTlsOptions | undefined,
  logger: Logger,
): TlsReloader | undefined {
  const files = config.edge.tls;
  if (!files || !initial) return undefined;
  const requestClientCert = initial.requestClientCert;
  return startTlsReloader({
    files,
    initial: contentsOf(initial),
    apply: (contents) => {
      const problems = keyTypeProblems(contents, files);
      if (problems.length > 0) throw new Error(problems.join('; '));
      edge.setTls(edgeTlsOf(contents, requestClientCert));
    },
    intervalMs: config.edge.tlsReloadIntervalSec * 1000,
    logger: logger.child({ component: 'edge-tls' }),
  });
}

/**
 * Reads the TLS files named in the configuration (undefined when TLS is off); a file that cannot be read, or a
 * second pair whose key types are not RSA + ECDSA, is a {@link ConfigError}.
 */
export function readTls(config: CsmsConfig): EdgeTlsOptions | undefined {
  const files = config.edge.tls;
  if (!files) return undefined;
  const problems: string[] = [];
  const read = (name: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      problems.push(
        `${name}=${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
      return Buffer.alloc(0);
    }
  };
  const contents: TlsFileContents = {
    cert: read('CSMS_TLS_CERT_FILE', files.certFile),
    key: read('CSMS_TLS_KEY_FILE', files.keyFile),
    ...(files.caFile ? { ca: read('CSMS_TLS_CA_FILE', files.caFile) } : {}),
    ...(files.ecdsa
      ? {
          ecdsa: {
            cert: read('CSMS_TLS_ECDSA_CERT_FILE', files.ecdsa.certFile),
            key: read('CSMS_TLS_ECDSA_KEY_FILE', files.ecdsa.keyFile),
          },
        }
      : {}),
  };
  if (problems.length === 0) problems.push(...keyTypeProblems(contents, files));
  if (problems.length > 0) throw new ConfigError(problems);
  // A client CA means Security Profile 3 (mTLS) is offered; stations without certificates can still
  // use profile 2 on the same port.
  return edgeTlsOf(contents, files.caFile !== undefined);
}

/** The OCSP client of a worker (CSMS_OCSP_*): GetCertificateStatus (M06) and contract certificates (C07). */
export function ocspClientFrom(config: CsmsConfig): OcspClient {
  const { timeoutMs, cacheSeconds, responders } = config.ocsp;
  return new OcspClient({ timeoutMs, cacheMs: cacheSeconds * 1000, allowedResponders: responders });
}

/**
 * The V2G and MO roots of central contract validation (CSMS_CONTRACT_ROOTS_FILE, C07.FR.06): a file that cannot be
 * read or holds no certificate stops the start with the reason.
 */
export function contractRootsFrom(config: CsmsConfig): string[] {
  const file = config.ocsp.contractRootsFile;
  if (file === undefined) return [];
  let roots: string[];
  try {
    roots = pemCertificates(readFileSync(file, 'utf8'));
    for (const pem of roots) new X509Certificate(pem);
  } catch (error) {
    throw new ConfigError([`CSMS_CONTRACT_ROOTS_FILE: ${(error as Error).message}`]);
  }
  if (roots.length === 0) throw new ConfigError([`CSMS_CONTRACT_ROOTS_FILE: no PEM certificate in ${file}`]);
  return roots;
}

/**
 * The EV contract certificate backend of Get15118EVCertificate (M01/M02, CSMS_CONTRACT_CERT_*): an external program or
 * an HTTP backend; undefined when neither is configured (the worker then answers Failed, reason NotConfigured).
 */
export function contractCertificateProviderFrom(config: CsmsConfig): ContractCertificateProvider | undefined {
  const settings = config.contractCertificates;
  switch (settings.kind) {
    case 'command':
      return new CommandContractCertificateProvider(settings);
    case 'http':
      return new HttpContractCertificateProvider(settings);
    case 'none':
      return undefined;
  }
}

/**
 * What a worker needs for certificates: the CSR signers, the OCSP client, the contract roots and the EV contract
 * certificate backend.
 */
export async function workerCertificatesFrom(config: CsmsConfig): Promise<{
  certificateSigners: CertificateSigners;
  ocsp: OcspClient;
  contractRoots: string[];
  contractCertificates?: ContractCertificateProvider;
}> {
  const contractCertificates = contractCertificateProviderFrom(config);
  return {
    certificateSigners: await certificateSignersFrom(config),
    ocsp: ocspClientFrom(config),
    contractRoots: contractRootsFrom(config),
    ...(contractCertificates ? { contractCertificates } : {}),
  };
}
