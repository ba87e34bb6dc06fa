import type { Logger } from '../logger.js';

/** One captured log line. */
export interface LogLine {
  readonly level: 'info' | 'warn' | 'error' | 'debug';
  readonly msg: string | undefined;
  readonly fields: Record<string, unknown>;
}

/** A {@link Logger} that records every line (children share the record, with their bindings merged in). */
export class CapturingLogger implements Logger {
  readonly lines: LogLine[];
  readonly #bindings: Record<string, unknown>;

  constructor(lines: LogLine[] = [], bindings: Record<string, unknown> = {}) {
    this.lines = lines;
    this.#bindings = bindings;
  }

  info(obj: object, msg?: string): void {
    this.#push('info', obj, msg);
  }
  warn(obj: object, msg?: string): void {
    this.#push('warn', obj, msg);
  }
  error(obj: object, msg?: string): void {
    this.#push('error', obj, msg);
  }
  debug(obj: object, msg?: string): void {
    this.#push('debug', obj, msg);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new CapturingLogger(this.lines, { ...this.#bindings, ...bindings });
  }

  /** Lines at `level` whose message contains `text`. */
  find(level: LogLine['level'], text: string): LogLine[] {
    return this.lines.filter((l) => l.level === level && (l.msg ?? '').includes(text));
  }

  #push(level: LogLine['level'], obj: object, msg: string | undefined): void {
    this.lines.push({ level, msg, fields: { ...this.#bindings, ...(obj as Record<string, unknown>) } });
  }
}
