import { ChannelCredentials } from '@grpc/grpc-js';
import {
  createChannel,
  createClientFactory,
  Metadata,
  type Channel,
  type Client,
  type CompatServiceDefinition,
} from 'nice-grpc';
import type { CallOptions, ClientMiddlewareCall } from 'nice-grpc-common';
import { deadlineMiddleware, type DeadlineOptions } from 'nice-grpc-client-middleware-deadline';
import {
  BadRequest,
  ErrorInfo,
  errorDetailsClientMiddleware,
  RichClientError,
} from 'nice-grpc-error-details';
import { readTlsFiles, type TlsFiles } from './credentials.js';

/** How a client reaches a CSMS API: address plus the credential the server wants. */
export interface ApiClientOptions {
  /** `host:port`. */
  readonly address: string;
  /** Bearer token sent on every call. */
  readonly token?: string;
  /** TLS: `caFile` to trust (else the system's roots), `certFile` + `keyFile` for mTLS. */
  readonly tls?: TlsFiles;
}

export type ApiClientCallOptions = CallOptions & DeadlineOptions;

/** A typed client of a service, with per-call `deadline`, `signal` and `metadata` options. */
export type ApiClient<D extends CompatServiceDefinition> = Client<D, DeadlineOptions>;

/** A channel plus a factory of typed clients over it (nice-grpc), with deadline and error details. */
export interface ApiConnection {
  readonly channel: Channel;
  client<D extends CompatServiceDefinition>(definition: D): ApiClient<D>;
  close(): void;
}

export function connectApi(options: ApiClientOptions): ApiConnection {
  const credentials = options.tls
    ? (() => {
        const tls = readTlsFiles(options.tls);
        return ChannelCredentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null);
      })()
    : ChannelCredentials.createInsecure();
  const channel = createChannel(options.address, credentials);
  let factory = createClientFactory().use(errorDetailsClientMiddleware).use(deadlineMiddleware);
  if (options.token !== undefined) factory = factory.use(bearerMiddleware(options.token));
  return {
    channel,
    client: (definition) => factory.create(definition, channel),
    close: () => channel.close(),
  };
}

function bearerMiddleware(token: string) {
  return async function* <Req, Res>(call: ClientMiddlewareCall<Req, Res>, options: CallOptions) {
    const metadata = Metadata(options.metadata).set('authorization', `Bearer ${token}`);
    return yield* call.next(call.request, { ...options, metadata });
  };
}

/** What a failed call's rich details say (for CLIs and logs). */
export interface ErrorSummary {
  readonly reason?: string;
  readonly metadata: Record<string, string>;
  readonly violations: readonly { readonly field: string; readonly description: string }[];
}

export function errorSummary(error: unknown): ErrorSummary {
  const summary: {
    reason?: string;
    metadata: Record<string, string>;
    violations: { field: string; description: string }[];
  } = {
    metadata: {},
    violations: [],
  };
  if (!(error instanceof RichClientError)) return summary;
  for (const detail of error.extra) {
    if (detail.$type === ErrorInfo.$type) {
      summary.reason = detail.reason;
      summary.metadata = { ...detail.metadata };
    } else if (detail.$type === BadRequest.$type) {
      summary.violations.push(
        ...detail.fieldViolations.map((v) => ({ field: v.field, description: v.description })),
      );
    }
  }
  return summary;
}
