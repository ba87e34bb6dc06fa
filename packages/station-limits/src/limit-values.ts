import { INT32_MAX } from '@csms/ocpp';
import type { LimitDef } from './limit-catalog.js';

// Reading limits out of what stations answer: GetVariables results and GetConfiguration keys.

/** A limit as learned: a positive integer, or null when the station gave no usable value. */
export interface LearnedLimit {
  readonly name: string;
  readonly value: number | null;
}

/** A positive integer (the limits are `integer` variables / keys), else null. */
export function parseLimit(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\s*[0-9]{1,10}\s*$/.test(value)) return null;
  const n = Number(value.trim());
  return n >= 1 && n <= INT32_MAX ? n : null;
}

interface VariableResult {
  attributeStatus?: unknown;
  attributeType?: unknown;
  attributeValue?: unknown;
  component?: { name?: unknown };
  variable?: { name?: unknown; instance?: unknown };
}

/**
 * The limits a GetVariablesResponse tells about: the Actual attribute (B06.FR.11: absent = Actual) of a
 * limit variable; a result other than Accepted (unknown variable, rejected) gives null.
 */
export function limitsFromVariableResults(defs: readonly LimitDef[], results: unknown): LearnedLimit[] {
  if (!Array.isArray(results)) return [];
  const learned: LearnedLimit[] = [];
  for (const def of defs) {
    const source = def.source;
    if (source.kind !== 'variable') continue;
    const result = (results as VariableResult[]).find(
      (r) =>
        r.component?.name === source.component &&
        r.variable?.name === source.variable &&
        (r.variable.instance ?? undefined) === source.instance &&
        (r.attributeType ?? 'Actual') === 'Actual',
    );
    if (result === undefined) continue;
    const value = result.attributeStatus === 'Accepted' ? parseLimit(result.attributeValue) : null;
    learned.push({ name: def.name, value });
  }
  return learned;
}

/** The limits a 1.6 GetConfiguration.conf tells about: a listed key's value, or null for an unknown key. */
export function limitsFromConfiguration(
  defs: readonly LimitDef[],
  answer: Record<string, unknown>,
): LearnedLimit[] {
  const keys = Array.isArray(answer.configurationKey)
    ? (answer.configurationKey as { key?: unknown; value?: unknown }[])
    : [];
  const unknown = Array.isArray(answer.unknownKey) ? (answer.unknownKey as unknown[]) : [];
  const learned: LearnedLimit[] = [];
  for (const def of defs) {
    const source = def.source;
    if (source.kind !== 'key') continue;
    const entry = keys.find((k) => k.key === source.key);
    if (entry !== undefined) learned.push({ name: def.name, value: parseLimit(entry.value) });
    else if (unknown.includes(source.key)) learned.push({ name: def.name, value: null });
  }
  return learned;
}
