/**
 * The logging seam of the edge: the structural subset of a pino logger the edge uses, so the app can pass
 * a pino instance without the edge depending on pino (kysely-style structural typing of a third-party library).
 */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  /** A logger that adds `bindings` to every line (pino `child`). */
  child(bindings: Record<string, unknown>): Logger;
}

/** A {@link Logger} that drops everything (the default, and handy in tests). */
export const silentLogger: Logger = Object.freeze({
  info: () => {},
  warn: () => {},
  error: () => {},
  debug: () => {},
  child: () => silentLogger,
});

/** The `err` field of a log line: name, message and stack of anything thrown (pino's `err` convention). */
export function errorFields(error: unknown): { err: { name: string; message: string; stack?: string } } {
  if (error instanceof Error) {
    return {
      err: { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) },
    };
  }
  return { err: { name: 'NonError', message: String(error) } };
}
