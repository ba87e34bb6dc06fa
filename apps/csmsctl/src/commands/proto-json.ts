import { readFile } from 'node:fs/promises';
import { UsageError } from '../cli-error.js';
import type { CliIo } from '../io.js';

/** The JSON half of a ts-proto generated message (`fromJSON` is lenient, `toJSON` the proto3 mapping). */
export interface JsonMessageFns<T> {
  fromJSON(object: unknown): T;
  toJSON(message: T): unknown;
}

/**
 * Parses proto3 JSON into a generated message, strictly: ts-proto's `fromJSON` silently drops unknown
 * fields, turns bad enum names into UNRECOGNIZED, numbers it cannot read into NaN and bad timestamps into
 * Invalid Date, and rounds fractional integers only when encoding. A typo in a payload would then reach
 * the station as a different request, so every such problem is a usage error naming the field path.
 */
export function parseMessage<T>(name: string, fns: JsonMessageFns<T>, json: unknown): T {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new UsageError(`${name} must be a JSON object`);
  const parsed = fns.fromJSON(json);
  const problems: string[] = [];
  let back: unknown;
  try {
    back = fns.toJSON(parsed);
  } catch {
    back = undefined; // an Invalid Date makes toJSON throw; the walk below names the field
  }
  walk(json, parsed, back, '', problems);
  if (problems.length > 0)
    throw new UsageError(`${name} is not valid proto3 JSON:\n  ${problems.join('\n  ')}`);
  return parsed;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Walks the input JSON next to what fromJSON made of it (`parsed`: every field of a message is a key,
 * unset ones undefined) and the toJSON of that (`back`, or undefined when not comparable).
 */
function walk(input: unknown, parsed: unknown, back: unknown, path: string, problems: string[]): void {
  const at = path || '(root)';
  // google.protobuf.Struct / Value: fromJSON takes the object as it is.
  if (typeof input === 'object' && input !== null && parsed === input) return;
  if (isPlainObject(input)) {
    if (!isPlainObject(parsed)) {
      problems.push(`${at}: must not be an object`);
      return;
    }
    for (const [key, value] of Object.entries(input)) {
      const prop = key in parsed ? key : camel(key) in parsed ? camel(key) : undefined;
      const field = path ? `${path}.${key}` : key;
      if (prop === undefined) {
        problems.push(`${field}: unknown field (known: ${Object.keys(parsed).join(', ') || 'none'})`);
        continue;
      }
      if (value === null) continue; // proto3 JSON: null = default
      walk(value, parsed[prop], isPlainObject(back) ? back[prop] : undefined, field, problems);
    }
    return;
  }
  if (Array.isArray(input)) {
    if (!Array.isArray(parsed)) {
      problems.push(`${at}: must not be an array`);
      return;
    }
    input.forEach((item, i) =>
      walk(item, parsed[i], Array.isArray(back) ? back[i] : undefined, `${path}[${i}]`, problems),
    );
    return;
  }
  // A scalar in the input.
  if (parsed === undefined) problems.push(`${at}: invalid value ${show(input)}`);
  else if (Array.isArray(parsed)) problems.push(`${at}: must be an array`);
  else if (parsed instanceof Date) {
    if (Number.isNaN(parsed.getTime())) problems.push(`${at}: not an RFC 3339 date-time: ${show(input)}`);
  } else if (isPlainObject(parsed)) problems.push(`${at}: must be an object`);
  else if (typeof parsed === 'boolean') {
    if (typeof input !== 'boolean') problems.push(`${at}: must be true or false, got ${show(input)}`);
  } else if (typeof parsed === 'number') {
    if (back === 'UNRECOGNIZED' || (typeof input === 'string' && parsed === -1 && back !== -1))
      problems.push(`${at}: unknown enum value ${show(input)}`);
    else if (Number.isNaN(parsed) || typeof input === 'boolean')
      problems.push(`${at}: must be a number, got ${show(input)}`);
    else if (typeof back === 'number' && back !== parsed)
      problems.push(`${at}: must be an integer, got ${show(input)}`);
  } else if (typeof parsed === 'string' && typeof input !== 'string') {
    // proto3 JSON has no implicit number → string conversion worth allowing for OCPP strings
    problems.push(`${at}: must be a string, got ${show(input)}`);
  }
}

const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/** Text given inline, as `@file`, or `-` (standard input). */
export async function readTextArg(name: string, arg: string, io: CliIo): Promise<string> {
  if (arg === '-') {
    if (!io.readStdin) throw new UsageError(`${name}: standard input is not available`);
    return io.readStdin();
  }
  if (!arg.startsWith('@')) return arg;
  try {
    return await readFile(arg.slice(1), 'utf8');
  } catch (error) {
    throw new UsageError(
      `${name}: cannot read ${arg.slice(1)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

/** Any JSON value given inline, as `@file`, or `-`. */
export async function readJsonArg(name: string, arg: string, io: CliIo): Promise<unknown> {
  const text = await readTextArg(name, arg, io);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${name} is not valid JSON: ${(error as Error).message}`);
  }
}

type ProtoEnum = Record<string, string | number>;

const squash = (s: string) => s.replace(/[^a-z0-9]/gi, '').toLowerCase();
const pascal = (s: string) =>
  s
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/**
 * A generated proto enum as a command-line choice: `--status blocked`, `Blocked` and
 * `AUTHORIZATION_STATUS_BLOCKED` are the same; tables show the short PascalCase name.
 */
export class EnumChoice<E extends number> {
  readonly #values: Map<string, E>;
  readonly #names: Map<number, string>;

  constructor(
    readonly flag: string,
    enumObject: ProtoEnum,
    readonly prefix: string,
  ) {
    this.#values = new Map();
    this.#names = new Map();
    for (const [key, value] of Object.entries(enumObject)) {
      if (typeof value !== 'number' || value <= 0) continue; // UNSPECIFIED and UNRECOGNIZED
      const short = pascal(key.startsWith(prefix) ? key.slice(prefix.length) : key);
      this.#names.set(value, short);
      this.#values.set(squash(short), value as E);
      this.#values.set(squash(key), value as E);
    }
  }

  get choices(): string[] {
    return [...this.#names.values()];
  }

  /** Parses a flag value (a usage error lists the choices). */
  parse = (text: string): E => {
    const value = this.#values.get(squash(text));
    if (value === undefined)
      throw new UsageError(`${this.flag} must be one of ${this.choices.join(', ')}, got "${text}"`);
    return value;
  };

  /** Collects a repeatable flag. */
  collect = (text: string, previous: E[] = []): E[] => [...previous, this.parse(text)];

  name(value: E | number | undefined): string {
    return value === undefined || value === 0 ? '' : (this.#names.get(value) ?? `(${value})`);
  }
}
