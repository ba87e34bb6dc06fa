import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { MAX_QUEUE_TTL_MS, type CommandOutcome, type StationApi } from '@csms/bus';
import type { BootPolicy, QueuedCommandRow } from '@csms/db';
import type { Logger } from '@csms/telemetry';

/**
 * The local admin endpoint of the embedded CSMS: health checks and CSMS-initiated commands over plain
 * HTTP/JSON, bound to loopback by default. It is the operator surface until the gRPC API lands; it
 * calls the same {@link StationApi} the gRPC API will wrap.
 *
 * - `GET /healthz`, `GET /readyz` → 200 `{"status":"ok"}`
 * - `POST /v0/stations/{id}/calls` `{"action", "payload", "timeoutMs"?, "whenOffline"?, "queueTtlMs"?}` →
 *   the command's outcome (`whenOffline: "queue"` and an offline station: 202 `queued`)
 * - `GET /v0/commands/{commandId}` → a queued command: its status and, once it ended, its outcome
 * - `PUT /v0/stations/{id}/boot-policy` `{"policy": "Accepted"|"Pending"|"Rejected"|null}`
 */
export interface AdminServerOptions {
  readonly host: string;
  readonly port: number;
  /** Required as `Authorization: Bearer <token>` when set (health checks are open). */
  readonly token?: string;
  readonly stations: StationApi;
  readonly setBootPolicy: (stationId: string, policy: BootPolicy | null) => Promise<boolean>;
  /** Reads a queued command (`findQueuedCommand` of @csms/db). */
  readonly findCommand: (commandId: string) => Promise<QueuedCommandRow | undefined>;
  readonly logger: Logger;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** HTTP status for each command outcome; the JSON body always carries the outcome itself. */
const STATUS_OF: Record<CommandOutcome['status'], number> = {
  result: 200,
  'call-error': 502,
  'invalid-response': 502,
  'invalid-request': 400,
  'not-supported': 400,
  offline: 409,
  disconnected: 502,
  queued: 202,
  refused: 409,
  timeout: 504,
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startAdminServer(
  options: AdminServerOptions,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return send(res, error.status, { error: error.message });
      options.logger.error({ err: error, url: req.url }, 'admin request failed');
      send(res, 500, { error: 'internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(options: AdminServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://admin');
  if (req.method === 'GET' && (url.pathname === '/healthz' || url.pathname === '/readyz')) {
    return send(res, 200, { status: 'ok' });
  }
  if (options.token !== undefined && !bearerMatches(req.headers.authorization, options.token)) {
    res.setHeader('WWW-Authenticate', 'Bearer');
    return send(res, 401, { error: 'missing or wrong bearer token' });
  }
  const command = /^\/v0\/commands\/([^/]+)$/.exec(url.pathname);
  if (command) {
    if (req.method !== 'GET') throw new HttpError(405, 'use GET');
    const id = command[1] as string;
    const row = await options.findCommand(id);
    if (!row) throw new HttpError(404, `unknown command ${id}`);
    return send(res, 200, commandView(row));
  }
  const match = /^\/v0\/stations\/([^/]+)\/(calls|boot-policy)$/.exec(url.pathname);
  if (!match) throw new HttpError(404, `no such endpoint: ${req.method ?? ''} ${url.pathname}`);
  let stationId: string;
  try {
    stationId = decodeURIComponent(match[1] as string);
  } catch {
    throw new HttpError(400, 'station id is not valid percent-encoding');
  }
  const body = await readJson(req);
  if (match[2] === 'calls') {
    if (req.method !== 'POST') throw new HttpError(405, 'use POST');
    const { action, payload, timeoutMs, whenOffline, queueTtlMs } = body as {
      action?: unknown;
      payload?: unknown;
      timeoutMs?: unknown;
      whenOffline?: unknown;
      queueTtlMs?: unknown;
    };
    if (typeof action !== 'string' || action.length === 0)
      throw new HttpError(400, '"action" must be a non-empty string');
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new HttpError(400, '"payload" must be a JSON object');
    }
    if (
      timeoutMs !== undefined &&
      (typeof timeoutMs !== 'number' ||
        !Number.isInteger(timeoutMs) ||
        timeoutMs < 100 ||
        timeoutMs > 600_000)
    ) {
      throw new HttpError(400, '"timeoutMs" must be an integer from 100 to 600000');
    }
    if (whenOffline !== undefined && whenOffline !== 'reject' && whenOffline !== 'queue') {
      throw new HttpError(400, '"whenOffline" must be "reject" or "queue"');
    }
    if (queueTtlMs !== undefined) {
      if (whenOffline !== 'queue') throw new HttpError(400, '"queueTtlMs" needs "whenOffline": "queue"');
      if (
        typeof queueTtlMs !== 'number' ||
        !Number.isInteger(queueTtlMs) ||
        queueTtlMs < 1 ||
        queueTtlMs > MAX_QUEUE_TTL_MS
      ) {
        throw new HttpError(400, `"queueTtlMs" must be an integer from 1 to ${MAX_QUEUE_TTL_MS}`);
      }
    }
    const outcome = await options.stations.call(stationId, action, payload as Record<string, unknown>, {
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(whenOffline !== undefined ? { whenOffline } : {}),
      ...(queueTtlMs !== undefined ? { queueTtlMs } : {}),
    });
    return send(res, STATUS_OF[outcome.status], outcome);
  }
  if (req.method !== 'PUT') throw new HttpError(405, 'use PUT');
  const policy = (body as { policy?: unknown }).policy;
  if (policy !== null && policy !== 'Accepted' && policy !== 'Pending' && policy !== 'Rejected') {
    throw new HttpError(400, '"policy" must be "Accepted", "Pending", "Rejected" or null');
  }
  const found = await options.setBootPolicy(stationId, policy);
  if (!found) throw new HttpError(404, `unknown station ${stationId}`);
  return send(res, 200, { stationId, policy });
}

/** The JSON view of a queued command (`GET /v0/commands/{id}`). */
function commandView(row: QueuedCommandRow): Record<string, unknown> {
  return {
    commandId: row.id,
    stationId: row.station_id,
    action: row.action,
    payload: row.payload,
    status: row.status,
    outcome: row.outcome,
    expiresAt: row.expires_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1] as string);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
