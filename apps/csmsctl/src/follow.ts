import type { CliContext } from './context.js';

/** An event of a live API stream, as both event streams carry them. */
interface StreamedEvent {
  readonly stationId: string;
  readonly type: string;
  readonly time?: Date | undefined;
  readonly data?: Record<string, unknown> | undefined;
}

/**
 * Prints a live event stream line by line (one JSON object per line with --json) until Ctrl-C or `count`
 * events. `open` starts the stream with the abort signal that ends it.
 */
export async function follow<E extends StreamedEvent>(
  c: CliContext,
  open: (signal: AbortSignal) => AsyncIterable<{ event?: E | undefined }>,
  toJson: (event: E) => unknown,
  count: number | undefined,
): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  let seen = 0;
  try {
    for await (const { event } of open(controller.signal)) {
      if (!event) continue;
      if (c.options.json) c.io.stdout.write(`${JSON.stringify(toJson(event))}\n`);
      else
        c.io.stdout.write(
          `${event.time?.toISOString() ?? ''} ${event.stationId} ${event.type} ${JSON.stringify(event.data ?? {})}\n`,
        );
      if (count !== undefined && ++seen >= count) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    process.off('SIGINT', stop);
    controller.abort();
  }
}
