import type { InboundCall } from '@csms/bus';

/**
 * Station CALLs being handled (or waiting in their actor's mailbox), by station, connection and message
 * id. The edge re-sends a CALL whose attempt timed out (built to ride out a crashed or frozen owner); when
 * the owner is merely busy the re-sent CALL reaches the same worker while the first is still queued or
 * running. Joining it to the first (both requests get the one outcome) instead of handling it again keeps
 * retries from multiplying the work of an overloaded worker. OCPP-J: the message id is unique per CALL of
 * a connection until it is answered (OCPP-2.0.1 part 4 §4.1.1), so the key cannot join two different
 * CALLs; a CALL re-sent after its outcome (a later attempt) is handled again, which handlers' idempotency
 * covers.
 */
export class InflightCalls<T> {
  readonly #calls = new Map<string, Promise<T>>();
  #joined = 0;

  /** Re-sent CALLs joined to one in flight so far. */
  get joined(): number {
    return this.#joined;
  }

  /** CALLs in flight now. */
  get size(): number {
    return this.#calls.size;
  }

  /**
   * The outcome of `call`: the one in flight for the same station, connection, message id and action, or
   * `handle()`'s, registered until it settles. Registration is synchronous, so two copies delivered in
   * the same tick join as well.
   */
  run(
    call: InboundCall,
    handle: () => Promise<T>,
  ): { readonly outcome: Promise<T>; readonly joined: boolean } {
    // Malformed requests are not deduplicated; the handler refuses them.
    if (typeof call !== 'object' || call === null) return { outcome: handle(), joined: false };
    const key = keyOf(call);
    const running = this.#calls.get(key);
    if (running !== undefined) {
      this.#joined++;
      return { outcome: running, joined: true };
    }
    const outcome = handle();
    this.#calls.set(key, outcome);
    const forget = (): void => {
      if (this.#calls.get(key) === outcome) this.#calls.delete(key);
    };
    outcome.then(forget, forget);
    return { outcome, joined: false };
  }
}

function keyOf(call: InboundCall): string {
  // NUL cannot occur in a station id (URL path segment), a connection id (UUID) or an action name.
  return `${call.stationId}\u0000${call.connectionId}\u0000${call.action}\u0000${call.messageId}`;
}
