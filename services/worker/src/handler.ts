import type { Database, Kysely } from '@csms/db';
import type { InboundCall } from '@csms/bus';
import type { OcppErrorCode, OcppVersion } from '@csms/ocpp';
import type { CertificateSigners, ContractCertificateProvider, OcspClient } from '@csms/station-ca';
import type { CsmsMetrics } from '@csms/telemetry';
import type { Logger } from './logger.js';
import type { Authorizer, TransactionRecorder } from './ports.js';
import type { StationState } from './station-state.js';
import type { WorkerConfig } from './worker-config.js';

/**
 * What a handler of a station CALL may use. Handlers run inside the station's actor, one message at a
 * time, so they may read and update `station` without locks.
 */
export interface HandlerContext {
  readonly stationId: string;
  readonly version: OcppVersion;
  readonly db: Kysely<Database>;
  readonly config: WorkerConfig;
  /** The actor's live state of this station. */
  readonly station: StationState;
  readonly log: Logger;
  /** Id token decisions (the `auth` domain: local, or the auth service over gRPC when distributed). */
  readonly auth: Authorizer;
  /** Transaction recording (local on `db`, or the transaction service over gRPC when distributed). */
  readonly transactions: TransactionRecorder;
  /** The CALL being handled (message id, receive time, connection). */
  readonly call: InboundCall;
  /**
   * The CALL runs without a database transaction (see VersionHandlers.autocommit / autocommitWhen): each of
   * its statements commits on its own. A handler that finds it needs a transaction throws
   * {@link NeedsTransaction} before it writes.
   */
  readonly autocommit: boolean;
  /**
   * When this run in a transaction follows a run of the same CALL without one that gave up (what it threw:
   * nothing was written), so that the handler need not repeat what that run found.
   */
  readonly fallback: NeedsTransaction | undefined;
  /** Sign station CSRs (SignCertificate), per certificate type; a type without a signer is refused. */
  readonly certificateSigners: CertificateSigners;
  /** Asks OCSP responders (GetCertificateStatus M06, contract certificates C07); undefined: not configured. */
  readonly ocsp: OcspClient | undefined;
  /** PEM V2G / MO roots for central contract validation (C07.FR.06, CSMS_CONTRACT_ROOTS_FILE). */
  readonly contractRoots: readonly string[];
  /** The EV contract certificate backend (Get15118EVCertificate M01/M02); undefined: not configured. */
  readonly contractCertificates: ContractCertificateProvider | undefined;
  /**
   * Queues a CSMS-initiated CALL for this station in the durable command queue, in the CALL's database
   * transaction: it is sent (through the outbound queue, after this CALL's answer) only if the CALL's effects
   * commit, and survives a crash of this worker like any queued command.
   */
  queueCommand(command: {
    readonly action: string;
    readonly payload: Record<string, unknown>;
  }): Promise<void>;
  /**
   * The process's instruments. A handler counts a fact after its write; its transaction may still roll back
   * (rare: the count is then one too many, and the station's retry is counted again only if it stores anew).
   */
  readonly metrics: CsmsMetrics;
  /** Current time (injectable for tests). */
  now(): Date;
  /** Publishes a fact about the station for observers (e.g. `booted`, `status-changed`). */
  emit(type: string, data: Record<string, unknown>): void;
}

/** Handles one station→CSMS action; its return value is the CALLRESULT payload. */
export type OcppHandler<Req, Res> = (ctx: HandlerContext, request: Req) => Promise<Res>;

/** Handlers keyed by action name, for the station-sent actions of a version's action map. */
export type HandlerMap<Actions> = {
  [A in keyof Actions]?: Actions[A] extends {
    request: infer Req;
    response: infer Res;
    sender: 'station' | 'both';
  }
    ? OcppHandler<Req, Res>
    : never;
};

/** What an after-command hook may use: a handler's context without a station CALL. */
export type CommandContext = Omit<HandlerContext, 'call' | 'queueCommand' | 'autocommit' | 'fallback'>;

/**
 * Runs after the station answered a CSMS-initiated CALL with a CALLRESULT (e.g. storing a password the
 * station accepted), with the command's request and the station's response.
 */
export type AfterCommandHook<Req, Res> = (ctx: CommandContext, request: Req, response: Res) => Promise<void>;

/** After-command hooks keyed by action name, for the CSMS-sent actions of a version's action map. */
export type AfterCommandMap<Actions> = {
  [A in keyof Actions]?: Actions[A] extends {
    request: infer Req;
    response: infer Res;
    sender: 'csms' | 'both';
  }
    ? AfterCommandHook<Req, Res>
    : never;
};

/** The station-sent action names of a version's action map. */
export type StationActionOf<Actions> = {
  [A in keyof Actions]: Actions[A] extends { sender: 'station' | 'both' } ? A : never;
}[keyof Actions] &
  string;

/**
 * Thrown by a handler to answer with a CALLERROR instead of a CALLRESULT (e.g. a connector id beyond
 * the configured limit). Codes are written in 2.0.1 spelling and converted per version on the way out.
 */
export class CallErrorResponse extends Error {
  override name = 'CallErrorResponse';
  constructor(
    readonly code: OcppErrorCode,
    readonly description: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(description);
  }
}

/**
 * Thrown by a handler running without a database transaction (`ctx.autocommit`, an action of
 * VersionHandlers.autocommitWhen) before it wrote anything, when this CALL needs one after all (e.g. a periodic
 * TransactionEvent of a transaction this CSMS has not seen started): the actor runs the handler again in a
 * transaction.
 */
export class NeedsTransaction extends Error {
  override name = 'NeedsTransaction';
}
