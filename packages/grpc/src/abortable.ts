import { ServerError, Status } from 'nice-grpc-common';

/**
 * Resolves like `work`, or rejects with CANCELLED as soon as `signal` aborts (the client cancelled or its
 * deadline passed: gRPC already told the client; this stops the server waiting). The work itself goes on
 * (a CALL already sent to a station is answered and recorded by its actor).
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new ServerError(Status.CANCELLED, 'call cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ServerError(Status.CANCELLED, 'call cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
