import {
  ClientError,
  Metadata,
  ServerError,
  type CallContext,
  type TsProtoServiceDefinition,
} from 'nice-grpc';
import { RichClientError, RichServerError } from 'nice-grpc-error-details';
import type { ApiConnection } from './api-client.js';
import type { ApiService } from './api-server.js';

/**
 * Metadata passed on to the service behind the forwarder. The caller's credential is not: the
 * forwarder authenticated the caller itself and calls upstream with its own credential (the
 * connection's). Trace context travels through the gRPC instrumentation when tracing is on, and
 * explicitly here when only the headers are present.
 */
const FORWARDED_HEADERS = ['traceparent', 'tracestate', 'baggage'] as const;

function forwardedMetadata(context: CallContext): Metadata {
  const metadata = Metadata();
  for (const key of FORWARDED_HEADERS) {
    const value = context.metadata.get(key);
    if (typeof value === 'string') metadata.set(key, value);
  }
  return metadata;
}

/**
 * The upstream service's failure, re-raised with the same code, message and rich details (ErrorInfo
 * reason, BadRequest violations, ResourceInfo), so a caller of the forwarder sees exactly what a caller
 * of the service would. A failure to reach the upstream (UNAVAILABLE, DEADLINE_EXCEEDED) passes as is.
 */
function reRaise(error: unknown): never {
  if (error instanceof RichClientError) throw new RichServerError(error.code, error.details, error.extra);
  if (error instanceof ClientError) throw new ServerError(error.code, error.details);
  throw error;
}

type UnaryForward = (request: unknown, options: object) => Promise<unknown>;
type StreamForward = (request: unknown, options: object) => AsyncIterable<unknown>;

/**
 * A service whose every method forwards to the same service in another process, over `connection`:
 * how the `api` role serves the whole gRPC API on one address while `auth`, `transaction`, `firmware`
 * and `smart-charging` run as their own processes. Unary and server-streaming methods are forwarded
 * (the only kinds our protos use); a client-streaming method is refused at construction.
 */
export function forwardingService<D extends TsProtoServiceDefinition>(
  definition: D,
  connection: ApiConnection,
): ApiService {
  // The client and implementation are built per method from the definition, so their per-method types
  // are not known statically here; both sides use the same definition, which keeps them consistent.
  const client = connection.client(definition) as unknown as Record<string, (...args: never[]) => unknown>;
  const implementation: Record<string, unknown> = {};
  for (const [key, method] of Object.entries(definition.methods)) {
    if (method.requestStream) {
      throw new Error(`${definition.fullName}.${method.name}: client streaming cannot be forwarded`);
    }
    const upstream = client[key]!.bind(client);
    implementation[key] = method.responseStream
      ? async function* (request: unknown, context: CallContext) {
          const call = upstream as StreamForward;
          try {
            yield* call(request, { metadata: forwardedMetadata(context), signal: context.signal });
          } catch (error) {
            reRaise(error);
          }
        }
      : async (request: unknown, context: CallContext) => {
          const call = upstream as UnaryForward;
          try {
            return await call(request, { metadata: forwardedMetadata(context), signal: context.signal });
          } catch (error) {
            reRaise(error);
          }
        };
  }
  return {
    name: definition.fullName,
    definition,
    implementation,
  };
}
