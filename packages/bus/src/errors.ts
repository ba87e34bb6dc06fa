/** Base class of the errors a {@link Bus} raises. */
export class BusError extends Error {
  override name = 'BusError';
}

/** A request found nobody subscribed to its subject (e.g. the station is not connected to any edge). */
export class NoRespondersError extends BusError {
  override name = 'NoRespondersError';
  constructor(readonly subject: string) {
    super(`no responders for ${subject}`);
  }
}

/** A request got no reply within its timeout. */
export class RequestTimeoutError extends BusError {
  override name = 'RequestTimeoutError';
  constructor(
    readonly subject: string,
    readonly timeoutMs: number,
  ) {
    super(`no reply on ${subject} within ${timeoutMs} ms`);
  }
}

/** The responder's handler threw; `remoteMessage` is its error message. */
export class RemoteHandlerError extends BusError {
  override name = 'RemoteHandlerError';
  constructor(
    readonly subject: string,
    readonly remoteMessage: string,
  ) {
    super(`handler for ${subject} failed: ${remoteMessage}`);
  }
}

/** The bus was closed. */
export class BusClosedError extends BusError {
  override name = 'BusClosedError';
  constructor() {
    super('bus is closed');
  }
}
