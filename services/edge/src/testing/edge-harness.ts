/**
 * Test helpers for the edge's own tests: an in-memory credential store, a fake worker (a real bus subscriber),
 * an edge started on an ephemeral port, and a raw WebSocket station for inputs a well-behaved client cannot send.
 * Excluded from the build (see tsconfig.json).
 */
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { MemoryBus, Subjects } from '@csms/bus';
import type { CallOutcome, ConnectionEvent, InboundCall, SecurityProfile, Subscription } from '@csms/bus';
import { createValidator } from '@csms/ocpp';
import type { OcppValidator } from '@csms/ocpp';
import { EdgeServer } from '../edge-server.js';
import type { EdgeOptions } from '../edge-server.js';
import type { StationCredentialStore, StationCredentials } from '../station-credential-store.js';

/** One validator for all tests in a worker process: schemas compile lazily and are cached. */
export const sharedValidator: OcppValidator = createValidator();

/** In-memory {@link StationCredentialStore}; `failing` simulates a database outage. */
export class MemoryCredentialStore implements StationCredentialStore {
  readonly stations = new Map<string, { securityProfile: SecurityProfile; password?: string }>();
  readonly registered: Array<{ stationId: string; securityProfile: SecurityProfile }> = [];
  /** Fingerprints of revoked client certificates. */
  readonly revoked = new Set<string>();
  failing = false;

  add(stationId: string, securityProfile: SecurityProfile, password?: string): this {
    this.stations.set(stationId, { securityProfile, ...(password !== undefined ? { password } : {}) });
    return this;
  }

  lookup(stationId: string): Promise<StationCredentials | undefined> {
    if (this.failing) return Promise.reject(new Error('database down'));
    const entry = this.stations.get(stationId);
    if (!entry) return Promise.resolve(undefined);
    return Promise.resolve({
      securityProfile: entry.securityProfile,
      checkPassword: (password: string) => {
        if (this.failing) return Promise.reject(new Error('database down'));
        return Promise.resolve(entry.password !== undefined && entry.password === password);
      },
      certificateRevoked: (fingerprint: string) => Promise.resolve(this.revoked.has(fingerprint)),
    });
  }

  raiseSecurityProfile(stationId: string, securityProfile: SecurityProfile): Promise<void> {
    if (this.failing) return Promise.reject(new Error('database down'));
    const entry = this.stations.get(stationId);
    if (entry && entry.securityProfile < securityProfile) entry.securityProfile = securityProfile;
    return Promise.resolve();
  }

  autoRegister(stationId: string, securityProfile: SecurityProfile): Promise<void> {
    if (this.failing) return Promise.reject(new Error('database down'));
    this.registered.push({ stationId, securityProfile });
    this.stations.set(stationId, { securityProfile });
    return Promise.resolve();
  }
}

/** Standard answers of the fake worker: BootNotification and Heartbeat for both versions. */
export function defaultAnswer(call: InboundCall): CallOutcome {
  const currentTime = '2025-01-01T00:00:00.000Z';
  switch (call.action) {
    case 'BootNotification':
      return { type: 'result', payload: { currentTime, interval: 300, status: 'Accepted' } };
    case 'Heartbeat':
      return { type: 'result', payload: { currentTime } };
    default:
      return { type: 'error', code: 'NotSupported', description: `${call.action} not handled`, details: {} };
  }
}

/** A fake worker: a real bus subscriber answering every station CALL. */
export function startWorker(
  bus: MemoryBus,
  answer: (call: InboundCall) => CallOutcome | Promise<CallOutcome> = defaultAnswer,
): Promise<Subscription> {
  return bus.subscribe<InboundCall, CallOutcome>(Subjects.inboundCalls('*'), (message) =>
    answer(message.data),
  );
}

/** A started edge with its bus, store and a log of connection events. */
export interface EdgeHarness {
  readonly edge: EdgeServer;
  readonly bus: MemoryBus;
  readonly store: MemoryCredentialStore;
  readonly port: number;
  /** `ws://127.0.0.1:<port>/ocpp` */
  readonly url: string;
  readonly events: ConnectionEvent[];
  stop(): Promise<void>;
}

/** Starts an edge on 127.0.0.1:0 over a fresh {@link MemoryBus} (or the given one). */
export async function startEdge(
  overrides: Partial<EdgeOptions> & { bus?: MemoryBus; store?: MemoryCredentialStore } = {},
): Promise<EdgeHarness> {
  const bus = overrides.bus ?? new MemoryBus();
  const store = overrides.store ?? new MemoryCredentialStore();
  const events: ConnectionEvent[] = [];
  await bus.subscribe<ConnectionEvent>(Subjects.connections('*'), (m) => void events.push(m.data));
  const edge = new EdgeServer({
    edgeId: 'edge-test',
    host: '127.0.0.1',
    port: 0,
    bus,
    validator: sharedValidator,
    credentials: store,
    autoRegister: false,
    pingIntervalMs: 0,
    ...overrides,
  });
  const { port } = await edge.start();
  const scheme = overrides.tls ? 'wss' : 'ws';
  return {
    edge,
    bus,
    store,
    port,
    url: `${scheme}://127.0.0.1:${port}/ocpp`,
    events,
    stop: () => edge.stop({ graceMs: 200 }),
  };
}

/** A WebSocket station that sends and receives raw text: the one the system-level tests use too. */
export { RawStation } from '../../../../test/support/raw-station.js';

/** An HTTP upgrade answered with an error status. */
export interface RefusedUpgrade {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A completed upgrade (101) with its raw socket. */
export interface AcceptedUpgrade {
  readonly status: 101;
  readonly headers: IncomingHttpHeaders;
  readonly socket: Socket;
  readonly head: Buffer;
}

/**
 * Sends a WebSocket upgrade request with exactly the given path and headers (no client library in between, so
 * malformed paths and odd headers reach the server as written).
 */
export function rawUpgrade(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<RefusedUpgrade | AcceptedUpgrade> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket, head) => resolve({ status: 101, headers: res.headers, socket, head }));
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Reads the first (unmasked, server-sent) close frame from a raw socket: its code and reason. */
export function readCloseFrame(socket: Socket, head: Buffer): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    let buffer = head;
    const tryParse = (): void => {
      if (buffer.length < 2) return;
      const opcode = buffer[0]! & 0x0f;
      const length = buffer[1]! & 0x7f;
      if (buffer.length < 2 + length) return;
      if (opcode !== 0x8) {
        reject(new Error(`expected a close frame, got opcode ${opcode}`));
        return;
      }
      socket.destroy();
      resolve({ code: buffer.readUInt16BE(2), reason: buffer.subarray(4, 2 + length).toString('utf8') });
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      tryParse();
    });
    socket.on('error', reject);
    tryParse();
  });
}

/** Polls `predicate` until it holds (or fails after `timeoutMs`). */
export async function waitFor(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A promise with its resolve function, for holding the fake worker's answer. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** `Basic base64(user:password)` */
export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
