import Table from 'cli-table3';

/** Where the CLI writes (process streams in production, buffers in tests). */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Standard input as text (for `-` payload arguments). */
  readonly readStdin?: () => Promise<string>;
}

/** Prints rows as a table (default) or as JSON (`--json`). */
export class Output {
  constructor(
    private readonly io: CliIo,
    private readonly json: boolean,
  ) {}

  /** `value` is printed as JSON with --json; otherwise `rows` as a table with `head` columns. */
  table(value: unknown, head: readonly string[], rows: readonly (readonly unknown[])[]): void {
    if (this.json) return this.printJson(value);
    const table = new Table({ head: [...head], style: { head: [], border: [] } });
    for (const row of rows) table.push(row.map(cell));
    this.io.stdout.write(`${table.toString()}\n`);
  }

  /** A single record as a two-column table of fields, or JSON. */
  record(value: unknown, fields: readonly (readonly [string, unknown])[]): void {
    if (this.json) return this.printJson(value);
    const table = new Table({ style: { head: [], border: [] } });
    for (const [name, v] of fields) table.push({ [name]: cell(v) });
    this.io.stdout.write(`${table.toString()}\n`);
  }

  /** A line of text (human mode) or JSON. */
  line(value: unknown, text: string): void {
    if (this.json) return this.printJson(value);
    this.io.stdout.write(`${text}\n`);
  }

  printJson(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}

function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return value.toString();
  return JSON.stringify(value) ?? '-';
}
