import type {
  AuthorizationStatus,
  MeterValueSet,
  StartTransaction16Input,
  StartTransaction16Record,
  StopTransaction16Input,
  StopTransaction16Record,
  TransactionEvent201,
} from '@csms/db';
import {
  authV1,
  ClientError,
  connectApi,
  errorSummary,
  Status,
  transactionV1,
  type ApiClient,
  type ApiConnection,
  type TlsFiles,
} from '@csms/grpc';
import { FencedError } from './partition-fence.js';
import type { Authorizer, PortScope, PortsFactory, TransactionRecorder } from './ports.js';

/** How the worker reaches the auth and transaction services (distributed topology). */
export interface RemotePortsOptions {
  /** `host:port` of csms.auth.v1.AuthService. */
  readonly authAddress: string;
  /** `host:port` of csms.transaction.v1.TransactionService. */
  readonly transactionAddress: string;
  /** Bearer token of the APIs (CSMS_API_TOKEN). */
  readonly token?: string;
  readonly tls?: TlsFiles;
  /** Deadline of every call (ms); default 5,000. */
  readonly deadlineMs?: number;
}

export interface RemotePorts {
  /** For `WorkerOptions.ports`. */
  readonly factory: PortsFactory;
  /** Closes the channels (after the worker stopped). */
  close(): void;
}

/** The gRPC error reason the transaction service answers for a stale fence (see its records.ts). */
const FENCED = 'FENCED';

/**
 * The ports of the distributed topology: `ctx.auth` calls AuthService.Authorize and `ctx.transactions`
 * calls the TransactionService's internal record RPCs, each with a deadline. Record calls carry the
 * fence (the station's partition and this worker's lease epoch): the service checks it in its own
 * database transaction, and its FENCED answer becomes a {@link FencedError} here, so the actor behaves
 * as when its own fence check fails (no answer to the station; the edge retries with the new owner).
 *
 * Each remote record commits on its own, before the actor's transaction does: if the actor's
 * transaction then fails, the station gets no CALLRESULT (or a CALLERROR) and retries, and the retry is
 * recognised (start key, seqNo, meter value hashes) and records nothing twice. An unreachable service
 * (UNAVAILABLE, DEADLINE_EXCEEDED) makes the handler fail: the station gets an InternalError CALLERROR
 * and retries the message later (OCPP 1.6 §4.10 / 2.0.1 E13 transaction message retries).
 */
export function remotePorts(options: RemotePortsOptions): RemotePorts {
  const deadline = options.deadlineMs ?? 5_000;
  const connect = (address: string) =>
    connectApi({
      address,
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
    });
  const authConnection = connect(options.authAddress);
  const txConnection: ApiConnection =
    options.transactionAddress === options.authAddress ? authConnection : connect(options.transactionAddress);
  const auth = remoteAuthorizer(authConnection.client(authV1.AuthServiceDefinition), deadline);
  const txClient = txConnection.client(transactionV1.TransactionServiceDefinition);
  return {
    factory: (scope) => ({ auth, transactions: remoteRecorder(txClient, deadline, scope) }),
    close() {
      authConnection.close();
      if (txConnection !== authConnection) txConnection.close();
    },
  };
}

/** `ctx.auth` over AuthService.Authorize. */
function remoteAuthorizer(client: ApiClient<authV1.AuthServiceDefinition>, deadline: number): Authorizer {
  return {
    async authorize(idToken, o) {
      const r = await client.authorize(
        {
          idToken,
          type: o.type ?? '',
          stationId: o.stationId,
          concurrency:
            o.concurrency === 'any'
              ? authV1.Concurrency.CONCURRENCY_ANY
              : authV1.Concurrency.CONCURRENCY_OTHER_STATION,
          ...(o.excludeTransactionId !== undefined ? { excludeTransactionId: o.excludeTransactionId } : {}),
          time: o.now,
        },
        { deadline },
      );
      return {
        status: statusOf(r.status),
        ...(r.expireTime ? { expiresAt: r.expireTime } : {}),
        ...(r.groupId !== '' ? { groupId: r.groupId } : {}),
      };
    },
  };
}

type TxClient = ApiClient<transactionV1.TransactionServiceDefinition>;
/** Runs a record call with the scope's fence. */
type Fenced = <T>(call: (fence: transactionV1.Fence | undefined) => Promise<T>) => Promise<T>;

/** `ctx.transactions` over the TransactionService's record RPCs, fenced by the scope's lease epoch. */
function remoteRecorder(client: TxClient, deadline: number, scope: PortScope): TransactionRecorder {
  const fenced: Fenced = (call) => fencedCall(scope, call);
  const recorder: TransactionRecorder = {
    recordStartTransaction16: (input) => recordStart16(client, deadline, fenced, input),
    recordStopTransaction16: (input) => recordStop16(client, deadline, fenced, input),
    // The service records every event in a transaction of its own, with the fence: the worker's CALL needs none.
    recordPeriodicTransactionEvent201: (stationId, event) =>
      recorder.recordTransactionEvent201(stationId, event),
    async recordTransactionEvent201(stationId, event) {
      const r = await fenced((fence) =>
        client.recordTransactionEvent201({ stationId, fence, event: toStruct(event) }, { deadline }),
      );
      if (!r.applied) return {};
      return {
        applied: {
          created: r.created,
          state: r.state === transactionV1.TransactionState.TRANSACTION_STATE_ENDED ? 'ended' : 'active',
          chargingState: r.chargingState === '' ? null : r.chargingState,
          superseded: r.supersededTransactionIds,
        },
      };
    },
    async recordMeterValues(input) {
      const r = await fenced((fence) =>
        client.recordMeterValues(
          {
            stationId: input.stationId,
            fence,
            ...(input.v16TransactionId !== undefined ? { v16TransactionId: input.v16TransactionId } : {}),
            ...(input.evseId !== null ? { evseId: input.evseId } : {}),
            ...(input.connectorId !== null ? { connectorId: input.connectorId } : {}),
            source: input.source,
            meterValues: input.meterValues.map(toStruct),
          },
          { deadline },
        ),
      );
      return {
        ...(r.transactionFound !== undefined ? { transactionFound: r.transactionFound } : {}),
        stored: r.stored,
      };
    },
  };
  return recorder;
}

/** Runs a record call with the fence; FENCED (here or from the service) becomes FencedError. */
async function fencedCall<T>(
  scope: PortScope,
  call: (fence: transactionV1.Fence | undefined) => Promise<T>,
): Promise<T> {
  const f = scope.fence;
  if (f && f.epoch === undefined) throw new FencedError(f.partition);
  try {
    return await call(f ? { partition: f.partition, epoch: f.epoch! } : undefined);
  } catch (error) {
    if (
      f &&
      error instanceof ClientError &&
      error.code === Status.FAILED_PRECONDITION &&
      errorSummary(error).reason === FENCED
    )
      throw new FencedError(f.partition);
    throw error;
  }
}

async function recordStart16(
  client: TxClient,
  deadline: number,
  fenced: Fenced,
  input: StartTransaction16Input,
): Promise<StartTransaction16Record> {
  const r = await fenced((fence) =>
    client.recordStartTransaction16(
      {
        stationId: input.stationId,
        fence,
        connectorId: input.connectorId,
        idTag: input.idTag,
        timestamp: input.timestamp,
        meterStart: input.meterStart,
        ...(input.reservationId !== null ? { reservationId: input.reservationId } : {}),
      },
      { deadline },
    ),
  );
  return { created: r.created, transactionId: r.transactionId, superseded: r.supersededTransactionIds };
}

async function recordStop16(
  client: TxClient,
  deadline: number,
  fenced: Fenced,
  input: StopTransaction16Input,
): Promise<StopTransaction16Record> {
  const r = await fenced((fence) =>
    client.recordStopTransaction16(
      {
        stationId: input.stationId,
        fence,
        transactionId: input.transactionId,
        meterStop: input.meterStop,
        timestamp: input.timestamp,
        reason: input.reason,
        ...(input.idTag !== undefined ? { idTag: input.idTag } : {}),
        transactionData: input.transactionData.map(toStruct),
      },
      { deadline },
    ),
  );
  if (!r.known) return { kind: 'unknown' };
  return {
    kind: 'known',
    ended: r.ended,
    conflicting: r.conflicting,
    connectorId: r.connectorId ?? null,
    meterStart: r.meterStart ?? null,
    ...(r.conflicting
      ? { stored: { meterStop: r.storedMeterStop ?? null, reason: r.storedReason || null } }
      : {}),
  };
}

/** An OCPP JSON object as a google.protobuf.Struct value (plain JSON: no undefined, no Dates). */
function toStruct(value: MeterValueSet | TransactionEvent201): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

const STATUS: ReadonlyMap<authV1.AuthorizationStatus, AuthorizationStatus> = new Map([
  [authV1.AuthorizationStatus.AUTHORIZATION_STATUS_ACCEPTED, 'Accepted'],
  [authV1.AuthorizationStatus.AUTHORIZATION_STATUS_BLOCKED, 'Blocked'],
  [authV1.AuthorizationStatus.AUTHORIZATION_STATUS_EXPIRED, 'Expired'],
  [authV1.AuthorizationStatus.AUTHORIZATION_STATUS_INVALID, 'Invalid'],
  [authV1.AuthorizationStatus.AUTHORIZATION_STATUS_CONCURRENT_TX, 'ConcurrentTx'],
  [authV1.AuthorizationStatus.AUTHORIZATION_STATUS_UNKNOWN, 'Unknown'],
]);

/** The decision of an AuthorizeResponse; a status this worker does not know is Invalid (never charge). */
function statusOf(status: authV1.AuthorizationStatus): AuthorizationStatus {
  return STATUS.get(status) ?? 'Invalid';
}
