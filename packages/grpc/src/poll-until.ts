/** Polling intervals: from the first to the longest, doubling. */
const FIRST_POLL_MS = 25;
const LONGEST_POLL_MS = 250;

/**
 * Reads `read()` until `done` holds for what it returned, `waitMs` have passed or `signal` aborted (the client
 * cancelled or its deadline passed), and returns the last value read. For an RPC that waits a bounded time for
 * something another process stores (a station's report, written by its actor wherever it runs): the store is
 * polled, first every 25 ms, doubling up to every 250 ms.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  waitMs: number,
  signal: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + waitMs;
  let pollMs = FIRST_POLL_MS;
  for (;;) {
    const value = await read();
    const left = deadline - Date.now();
    if (done(value) || left <= 0 || signal.aborted) return value;
    await sleep(Math.min(pollMs, left), signal);
    pollMs = Math.min(pollMs * 2, LONGEST_POLL_MS);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
