/**
 * The message bus between CSMS processes. Two implementations share this interface: an in-memory one
 * for the embedded single-process mode ({@link MemoryBus}) and a NATS one for the distributed mode.
 * Handlers written against it must not know which one they run on.
 *
 * Payloads are plain JSON-serialisable values. The in-memory bus passes them by reference, so neither
 * side may mutate a payload after handing it over (the NATS bus serialises them anyway).
 */
export interface Bus {
  /** Fire-and-forget publication to every matching subscription. */
  publish(subject: string, data: unknown, options?: PublishOptions): Promise<void>;
  /**
   * Sends to one responder and waits for its reply. Rejects with `NoRespondersError` at once when
   * nobody listens, `RequestTimeoutError` when no reply comes in time, `RemoteHandlerError` when the
   * responder's handler threw.
   */
  request<R>(subject: string, data: unknown, options: RequestOptions): Promise<R>;
  /**
   * Subscribes a handler; for requests, the handler's return value is the reply. With `queue`, each
   * message goes to one member of the queue group only.
   */
  subscribe<T = unknown, R = unknown>(
    subject: string,
    handler: BusHandler<T, R>,
    options?: SubscribeOptions,
  ): Promise<Subscription>;
  close(): Promise<void>;
}

export type Headers = Readonly<Record<string, string>>;

export interface PublishOptions {
  readonly headers?: Headers;
}

export interface RequestOptions {
  readonly timeoutMs: number;
  readonly headers?: Headers;
}

export interface SubscribeOptions {
  readonly queue?: string;
}

export interface BusMessage<T = unknown> {
  readonly subject: string;
  readonly data: T;
  readonly headers: Headers;
  /** True when the sender waits for a reply. */
  readonly expectsReply: boolean;
}

export type BusHandler<T = unknown, R = unknown> = (message: BusMessage<T>) => Promise<R> | R;

export interface Subscription {
  readonly subject: string;
  unsubscribe(): Promise<void>;
}
