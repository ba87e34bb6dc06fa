// Reading an HTTP answer from a backend the station or the operator names (OCSP responders, contract certificate
// backends): bounded in size, and in time when the caller has no deadline of its own on the whole exchange.

/** The body was larger than the caller allows; the read stopped there. */
export class BodyTooLargeError extends Error {
  constructor(what: string, maxBytes: number) {
    super(`the ${what} is larger than ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The body's bytes; {@link BodyTooLargeError} beyond `maxBytes` (`what` names it in the message). With `timeoutMs`
 * the stream is cancelled when the body has not ended by then (a backend that sends headers and then stalls).
 */
export async function readBoundedBody(
  response: Response,
  maxBytes: number,
  what: string,
  timeoutMs?: number,
): Promise<Buffer> {
  if (response.body === null) return Buffer.alloc(0);
  // Node's web streams are async iterable; the fetch types do not say so.
  const body = response.body as unknown as AsyncIterable<Uint8Array> & { cancel(): Promise<void> };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const deadline =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => void body.cancel().catch(() => undefined), timeoutMs);
  try {
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new BodyTooLargeError(what, maxBytes);
      chunks.push(chunk);
    }
  } finally {
    clearTimeout(deadline);
  }
  return Buffer.concat(chunks);
}

/** Why a fetch failed, as the network layer says it (e.g. ECONNREFUSED), else the error's message. */
export function fetchFailureCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
