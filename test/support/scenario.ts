/**
 * Helpers for the OCTT scenario tests under test/scenarios: a simulated station (an `ocpp-rpc` client in
 * strict mode) with typed calls and recorded CSMS-initiated CALLs, unique identities, seed files and polling.
 */
import { upsertIdToken, type IdTokenRecord } from '@csms/db';
import type { V16Actions, V201Actions } from '@csms/ocpp';
import { createRPCError, type RPCClient } from 'ocpp-rpc';
import type { TestCsms } from './csms.js';

type ActionTable<M> = { [K in keyof M]: { request: unknown; response: unknown; sender: string } };

/** Actions the station sends (sender `station` or `both`). */
export type StationSent<M extends ActionTable<M>> = {
  [A in keyof M]: M[A]['sender'] extends 'station' | 'both' ? A : never;
}[keyof M] &
  string;
/** Actions the CSMS sends (sender `csms` or `both`). */
export type CsmsSent<M extends ActionTable<M>> = {
  [A in keyof M]: M[A]['sender'] extends 'csms' | 'both' ? A : never;
}[keyof M] &
  string;

/** A CSMS-initiated CALL as the simulated station received it. */
export interface ReceivedCall {
  readonly action: string;
  readonly payload: Record<string, unknown>;
}

type Responder<Req, Res> = Res | ((request: Req) => Res | Promise<Res>);

/**
 * One simulated station. Every CSMS-initiated CALL it receives is recorded in {@link received} and answered by
 * the responder set with {@link respond} (no responder: CALLERROR NotImplemented, as ocpp-rpc answers).
 */
export class SimStation<M extends ActionTable<M>> {
  readonly received: ReceivedCall[] = [];
  readonly #responders = new Map<string, (request: Record<string, unknown>) => unknown>();
  /** Resolves with the close code and reason when the socket closes (whoever closed it). */
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(
    readonly id: string,
    readonly client: RPCClient,
  ) {
    this.closed = new Promise((resolve) => {
      client.once('close', (event: { code: number; reason: string }) => resolve(event));
    });
    client.handle(async ({ method, params }) => {
      const action = method ?? '';
      const payload = params ?? {};
      this.received.push({ action, payload });
      const responder = this.#responders.get(action);
      if (!responder) {
        const error: unknown = createRPCError(
          'NotImplemented',
          `${action} not handled by the simulated station`,
        );
        throw error as Error;
      }
      return (await responder(payload)) as Record<string, unknown>;
    });
  }

  /** Sends a CALL and resolves with the CSMS's CALLRESULT payload (rejects with an RPCError on CALLERROR). */
  call<A extends StationSent<M>>(action: A, payload: M[A]['request']): Promise<M[A]['response']> {
    return this.client.call(action, payload);
  }

  /** Sets how the station answers a CSMS-initiated action: a fixed payload or a function of the request. */
  respond<A extends CsmsSent<M>>(action: A, responder: Responder<M[A]['request'], M[A]['response']>): this {
    this.#responders.set(action, (request) =>
      typeof responder === 'function'
        ? (responder as (r: Record<string, unknown>) => unknown)(request)
        : responder,
    );
    return this;
  }

  /** The requests of `action` received so far, oldest first. */
  requests<A extends CsmsSent<M>>(action: A): M[A]['request'][] {
    return this.received.filter((r) => r.action === action).map((r) => r.payload as M[A]['request']);
  }

  /** Closes the connection (the CSMS sees a normal close). */
  async close(): Promise<void> {
    await this.client.close({ code: 1000 }).catch(() => undefined);
  }
}

export type Station16 = SimStation<V16Actions>;
export type Station201 = SimStation<V201Actions>;

let counter = 0;

/** A station identity unique in this test process (1-48 characters, no ':' or whitespace). */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

export interface ConnectOptions {
  readonly id?: string;
  readonly password?: string;
  /** CALLs the station may have in flight at once (default 1: OCPP-J §4.1.1). */
  readonly callConcurrency?: number;
}

/** Anything that connects an independent OCPP client: the embedded test CSMS or a distributed test system. */
export type StationConnector = Pick<TestCsms, 'connect'>;

/** Connects an OCPP 1.6 station (not yet booted). */
export async function connect16(csms: StationConnector, options: ConnectOptions = {}): Promise<Station16> {
  const id = options.id ?? uniqueId('CP16');
  const client = await csms.connect({
    identity: id,
    protocol: 'ocpp1.6',
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.callConcurrency !== undefined ? { callConcurrency: options.callConcurrency } : {}),
  });
  return new SimStation<V16Actions>(id, client);
}

/** Connects an OCPP 2.0.1 station (not yet booted). */
export async function connect201(csms: StationConnector, options: ConnectOptions = {}): Promise<Station201> {
  const id = options.id ?? uniqueId('CS201');
  const client = await csms.connect({
    identity: id,
    protocol: 'ocpp2.0.1',
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.callConcurrency !== undefined ? { callConcurrency: options.callConcurrency } : {}),
  });
  return new SimStation<V201Actions>(id, client);
}

/** ISO 8601 timestamp, `offsetMs` from now. */
export function at(offsetMs = 0): string {
  return new Date(Date.now() + offsetMs).toISOString();
}

/** Polls `check` until it returns a value other than undefined/false (or fails after `timeoutMs`). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Stores a fresh id token (the OCTT "Memory State: ... idToken is configured") with a unique value (at most 20
 * characters, a valid 1.6 idTag) starting with `prefix`, so that tests do not share tokens: an active
 * transaction makes its token ConcurrentTx elsewhere.
 */
export async function addIdToken(
  csms: TestCsms,
  prefix: string,
  record: Partial<Omit<IdTokenRecord, 'idToken'>> = {},
): Promise<string> {
  counter += 1;
  const idToken = `${prefix.slice(0, 13)}-${counter}`;
  await upsertIdToken(csms.database.db, { status: 'Accepted', ...record, idToken });
  return idToken;
}
