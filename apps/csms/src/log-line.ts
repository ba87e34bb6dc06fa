/**
 * One line of a process's JSON log (pino) made readable for a terminal: `npm run cluster` prints every
 * process's output through it. Level and message first, then what the line is about (station, action,
 * message id, error code, reason, ...) as `key=value`, so a warning says which station and why without
 * opening the JSON. Lines that are not JSON are printed as they are.
 */

/** Fields every line carries (or that only tracing needs): left out of the terminal line. */
const PLUMBING = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'msg',
  'service',
  'trace_id',
  'span_id',
  'trace_flags',
]);

/** Fields printed first when present, in this order; any others follow. */
const FIRST = ['stationId', 'action', 'messageId', 'code', 'description', 'reason', 'outcome', 'failure'];

/** The longest value printed for one field (a payload or a stack would flood the terminal). */
const MAX_VALUE = 200;

export function formatLogLine(processName: string, line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return `${processName.padEnd(9)} ${line}`;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    return `${processName.padEnd(9)} ${line}`;
  const fields = entry as Record<string, unknown>;
  const level = typeof fields.level === 'string' ? fields.level : '';
  const msg = typeof fields.msg === 'string' ? fields.msg : '';
  const keys = [
    ...FIRST.filter((k) => k in fields),
    ...Object.keys(fields).filter((k) => !PLUMBING.has(k) && !FIRST.includes(k)),
  ];
  const details = keys.map((k) => `${k}=${valueOf(fields[k])}`).join(' ');
  return `${processName.padEnd(9)} ${level.padEnd(5)} ${msg}${details ? `  ${details}` : ''}`;
}

function valueOf(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'message' in value) {
    // pino's serialized error: its type and message (the stack stays in the JSON log).
    const err = value as { type?: unknown; message?: unknown };
    return clip(`${typeof err.type === 'string' ? `${err.type}: ` : ''}${String(err.message)}`);
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return clip(/\s/.test(text) && typeof value === 'string' ? JSON.stringify(text) : text);
}

function clip(text: string): string {
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}
