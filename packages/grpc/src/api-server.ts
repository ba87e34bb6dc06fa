import { timingSafeEqual, createHash } from 'node:crypto';
import { ServerCredentials } from '@grpc/grpc-js';
import {
  createServer,
  ServerError,
  Status,
  type CompatServiceDefinition,
  type Server,
  type ServiceImplementation,
} from 'nice-grpc';
import type { CallContext, ServerMiddlewareCall } from 'nice-grpc-common';
import { errorDetailsServerMiddleware } from 'nice-grpc-error-details';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import { ServerReflection, ServerReflectionService } from 'nice-grpc-server-reflection';
import type { ApiAuth } from './credentials.js';
import { readTlsFiles } from './credentials.js';
import { descriptorSetBase64 } from './gen/descriptor-set.js';

/** The logger the server reports unexpected handler failures to (pino's shape). */
export interface ApiServerLogger {
  error(obj: Record<string, unknown>, msg: string): void;
  debug(obj: Record<string, unknown>, msg: string): void;
}

export interface ApiServerOptions {
  /** e.g. `0.0.0.0`; `127.0.0.1` in tests. */
  readonly host: string;
  /** 0 = any free port (see {@link ApiServer.port}). */
  readonly port: number;
  readonly auth: ApiAuth;
  readonly logger: ApiServerLogger;
}

/** A service to serve: its generated definition and its implementation. */
export interface ApiService<D extends CompatServiceDefinition = CompatServiceDefinition> {
  /** Fully qualified name, e.g. `csms.auth.v1.AuthService` (health status and reflection use it). */
  readonly name: string;
  readonly definition: D;
  readonly implementation: ServiceImplementation<D>;
}

/** Bundles a definition with its implementation, keeping their types tied together. */
export function apiService<D extends CompatServiceDefinition>(
  name: string,
  definition: D,
  implementation: ServiceImplementation<D>,
): ApiService {
  return { name, definition, implementation };
}

export interface ApiServer {
  /** The port it listens on. */
  readonly port: number;
  /** Marks every service NOT_SERVING (for draining) or SERVING again. */
  setServing(serving: boolean): void;
  /** Stops accepting calls and waits for running ones (server streams are cancelled). */
  stop(): Promise<void>;
}

/**
 * Starts a gRPC server (nice-grpc over @grpc/grpc-js) with the given services plus standard health
 * checking (`grpc.health.v1.Health`, exempt from authentication so probes work) and server reflection
 * (`grpc.reflection.v1.ServerReflection`). Every call passes the credential check ({@link ApiAuth}), and
 * errors leave as gRPC statuses with rich details; an unexpected exception is logged and becomes
 * INTERNAL without leaking its message.
 */
export async function startApiServer(
  options: ApiServerOptions,
  services: readonly ApiService[],
): Promise<ApiServer> {
  const health = HealthState();
  const server: Server = createServer()
    .use(errorDetailsServerMiddleware)
    .use(unexpectedErrorMiddleware(options.logger))
    .use(authMiddleware(options.auth));
  server.add(HealthDefinition, HealthServiceImpl(health));
  const names = services.map((s) => s.name);
  server.add(
    ServerReflectionService,
    ServerReflection(Buffer.from(descriptorSetBase64, 'base64'), [...names, 'grpc.health.v1.Health']),
  );
  for (const service of services) server.add(service.definition, service.implementation);
  const port = await server.listen(`${options.host}:${options.port}`, serverCredentials(options.auth));
  const setServing = (serving: boolean) => {
    const status = serving ? 'healthy' : 'unhealthy';
    health.setStatus(status);
    for (const name of names) health.setStatus(status, name);
  };
  setServing(true);
  return {
    port,
    setServing,
    async stop() {
      setServing(false);
      // Server streams (event streams) never end on their own: give unary calls a moment, then cut.
      const graceful = server.shutdown();
      const timer = setTimeout(() => server.forceShutdown(), 5_000);
      await graceful;
      clearTimeout(timer);
    },
  };
}

function serverCredentials(auth: ApiAuth): ServerCredentials {
  if (auth.kind === 'mtls') {
    const tls = readTlsFiles(auth.tls);
    return ServerCredentials.createSsl(
      tls.ca ?? null,
      [{ cert_chain: tls.cert!, private_key: tls.key! }],
      true,
    );
  }
  if (auth.kind === 'token' && auth.tls?.certFile && auth.tls.keyFile) {
    const tls = readTlsFiles(auth.tls);
    return ServerCredentials.createSsl(null, [{ cert_chain: tls.cert!, private_key: tls.key! }], false);
  }
  return ServerCredentials.createInsecure();
}

const EXEMPT_SERVICES = new Set(['/grpc.health.v1.Health/']);

function authMiddleware(auth: ApiAuth) {
  const expected = auth.kind === 'token' ? digest(auth.token) : undefined;
  return async function* <Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    if (expected && !EXEMPT_SERVICES.has(call.method.path.slice(0, call.method.path.lastIndexOf('/') + 1))) {
      const header = context.metadata.get('authorization');
      const match = typeof header === 'string' ? /^Bearer (.+)$/i.exec(header) : null;
      if (!match)
        throw new ServerError(
          Status.UNAUTHENTICATED,
          'missing credential: send authorization: Bearer <token>',
        );
      // Digests have equal length, so the comparison time does not depend on the token's.
      if (!timingSafeEqual(digest(match[1]!), expected))
        throw new ServerError(Status.UNAUTHENTICATED, 'invalid token');
    }
    return yield* call.next(call.request, context);
  };
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function unexpectedErrorMiddleware(logger: ApiServerLogger) {
  return async function* <Req, Res>(call: ServerMiddlewareCall<Req, Res>, context: CallContext) {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      if (error instanceof ServerError) throw error;
      if (context.signal.aborted) throw error; // cancelled by the client or its deadline
      logger.error({ err: error, method: call.method.path }, 'gRPC handler failed');
      throw new ServerError(Status.INTERNAL, `${call.method.path} failed unexpectedly (see the server log)`);
    }
  };
}
