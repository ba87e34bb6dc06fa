import {
  authorizeIdToken,
  recordMeterValues,
  recordStartTransaction16,
  recordStopTransaction16,
  recordPeriodicTransactionEvent201,
  recordTransactionEvent201,
  type AuthorizationDecision,
  type AuthorizeOptions,
  type ConcurrencyPolicy,
  type Database,
  type Kysely,
  type MeterValuesRecord,
  type RecordMeterValuesInput,
  type RecordTransactionEvent201Options,
  type StartTransaction16Input,
  type StartTransaction16Record,
  type StopTransaction16Input,
  type StopTransaction16Record,
  type TransactionEvent201,
  type TransactionEvent201Record,
} from '@csms/db';

/**
 * The ports through which station actors reach the `auth` and `transaction` domains. Embedded mode:
 * {@link localPorts}, direct calls into `@csms/db` on the actor's database transaction. Distributed
 * mode: the gRPC clients of remote-ports.ts. Handlers use them as `ctx.auth` / `ctx.transactions` and
 * do not know which they got.
 */

/** Decides whether an id token may charge (see `authorizeIdToken` in @csms/db). */
export interface Authorizer {
  authorize(idToken: string, options: AuthorizeOptions): Promise<AuthorizationDecision>;
}

/**
 * Records transactions and meter values (the transactions domain of @csms/db, packages/db/src/transactions).
 * Each method's effect is durable when it resolves; a retried message is recognised and records nothing new.
 */
export interface TransactionRecorder {
  recordStartTransaction16(input: StartTransaction16Input): Promise<StartTransaction16Record>;
  recordStopTransaction16(input: StopTransaction16Input): Promise<StopTransaction16Record>;
  /** `options` (periodicTried) saves a local recorder a statement; the transaction service decides alone. */
  recordTransactionEvent201(
    stationId: string,
    event: TransactionEvent201,
    options?: RecordTransactionEvent201Options,
  ): Promise<TransactionEvent201Record>;
  /**
   * A periodic event (`isPeriodicTransactionEvent201` in @csms/db) on a CALL without a database transaction:
   * recorded, or undefined with nothing recorded when it needs {@link recordTransactionEvent201} in one.
   */
  recordPeriodicTransactionEvent201(
    stationId: string,
    event: TransactionEvent201,
  ): Promise<TransactionEvent201Record | undefined>;
  recordMeterValues(input: RecordMeterValuesInput): Promise<MeterValuesRecord>;
}

export interface Ports {
  readonly auth: Authorizer;
  readonly transactions: TransactionRecorder;
}

/** What the ports of one station CALL are built for. */
export interface PortScope {
  /** The actor's database transaction of this CALL (or the pool, outside a CALL). */
  readonly db: Kysely<Database>;
  readonly stationId: string;
  /**
   * Distributed mode: the station's partition and this worker's lease epoch for it, which remote
   * writes carry so that the transaction service refuses them once a newer owner holds the partition.
   * `epoch` is undefined when the worker no longer holds the partition (remote writes are then refused
   * at once). Absent in embedded mode.
   */
  readonly fence?: { readonly partition: number; readonly epoch: string | undefined };
}

/** Builds the ports of one CALL. */
export type PortsFactory = (scope: PortScope) => Ports;

/** What the local ports apply besides the actor's transaction. */
export interface LocalPortsOptions {
  /**
   * When an id token is ConcurrentTx (CSMS_CONCURRENT_TX_LIMIT / CSMS_CONCURRENT_TX_IGNORE_SILENT_AFTER);
   * default: one active transaction per token, each counts. A policy the handler passes wins.
   */
  readonly concurrency?: ConcurrencyPolicy;
}

/**
 * The embedded ports with `options`: everything runs on `db`, the actor's open transaction, so all
 * effects of one CALL still commit (or roll back) together. PGlite has a single connection: never open
 * a second transaction here.
 */
export function localPortsWith(options: LocalPortsOptions): PortsFactory {
  const policy = options.concurrency;
  return (scope) => {
    const ports = localPorts(scope);
    if (policy === undefined) return ports;
    const { db } = scope;
    return {
      ...ports,
      auth: {
        authorize: (idToken, o) => authorizeIdToken(db, idToken, { ...o, policy: o.policy ?? policy }),
      },
    };
  };
}

/** The embedded ports with the default concurrency policy (see {@link localPortsWith}). */
export const localPorts: PortsFactory = ({ db }) => ({
  auth: { authorize: (idToken, options) => authorizeIdToken(db, idToken, options) },
  transactions: {
    recordStartTransaction16: (input) => recordStartTransaction16(db, input),
    recordStopTransaction16: (input) => recordStopTransaction16(db, input),
    recordTransactionEvent201: (stationId, event, options) =>
      recordTransactionEvent201(db, stationId, event, options),
    recordPeriodicTransactionEvent201: (stationId, event) =>
      recordPeriodicTransactionEvent201(db, stationId, event),
    recordMeterValues: (input) => recordMeterValues(db, input),
  },
});
