import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpsServerOptions {
  /** Interface to listen on, e.g. `0.0.0.0` (127.0.0.1 in tests). */
  readonly host: string;
  /** Port (CSMS_METRICS_PORT, default 9464); 0 picks a free one (see the result's `port`). */
  readonly port: number;
  /** The Prometheus handler (`Telemetry.metricsHandler`); without it /metrics answers 404. */
  readonly metrics?: (request: IncomingMessage, response: ServerResponse) => void;
  /** Readiness for /readyz: true once the process serves (edge listening, worker holding its partitions...). */
  readonly ready: () => boolean;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * The small HTTP server every process runs for its operators: `GET /metrics` (Prometheus text format),
 * `GET /healthz` (200 while the event loop answers: liveness), `GET /readyz` (200 when `ready()`, else 503:
 * readiness), 404 for anything else. It holds no state and needs no authentication: bind it to an internal
 * interface.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server = createServer((request, response) => {
    try {
      route(options, request, response);
    } catch (error) {
      // A failing readiness probe or metrics collection must never crash the process.
      if (!response.headersSent) text(response, 500, `internal error: ${String(error)}\n`);
      else response.destroy();
    }
  });
  // Scrapes and probes are short requests: do not let an idle keep-alive socket hold `close()` up.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function route(options: OpsServerOptions, request: IncomingMessage, response: ServerResponse): void {
  const path = new URL(request.url ?? '/', 'http://ops').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    text(response, 405, 'method not allowed\n');
    return;
  }
  switch (path) {
    case '/metrics':
      if (options.metrics) options.metrics(request, response);
      else text(response, 404, 'metrics are not enabled in this process\n');
      return;
    case '/healthz':
      text(response, 200, 'ok\n');
      return;
    case '/readyz':
      if (options.ready()) text(response, 200, 'ready\n');
      else text(response, 503, 'not ready\n');
      return;
    default:
      text(response, 404, 'not found; try /metrics, /healthz or /readyz\n');
  }
}

function text(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(body);
}
