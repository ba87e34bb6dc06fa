import { readFile } from 'node:fs/promises';
import { UsageError } from './cli-error.js';
import type { CliIo } from './io.js';

export function parseIntOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
    return n;
  };
}

export function parseDate(name: string, value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new UsageError(`${name} must be an ISO 8601 date-time, got "${value}"`);
  return d;
}

/** A date-time flag that may be absent. */
export function parseOptionalDate(name: string, value: string | undefined): Date | undefined {
  return value !== undefined ? parseDate(name, value) : undefined;
}

/** A JSON object given inline, as `@file`, or `-` (standard input). */
export async function readJsonObject(
  name: string,
  arg: string | undefined,
  io: CliIo,
): Promise<Record<string, unknown>> {
  if (arg === undefined) return {};
  let text = arg;
  if (arg === '-') {
    if (!io.readStdin) throw new UsageError(`${name}: standard input is not available`);
    text = await io.readStdin();
  } else if (arg.startsWith('@')) {
    try {
      text = await readFile(arg.slice(1), 'utf8');
    } catch (error) {
      throw new UsageError(
        `${name}: cannot read ${arg.slice(1)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${name} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`${name} must be a JSON object`);
  return value as Record<string, unknown>;
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
