/** The problems and the number of checks of one `npm run check:helm` run, and YAML value helpers. */

export type Obj = Record<string, unknown>;

/** Every problem found; the run fails when there is one. */
export const problems: string[] = [];
let checks = 0;

/** Counts a check; records `message` when it fails. */
export function check(ok: unknown, message: string): void {
  checks++;
  if (!ok) problems.push(message);
}

/** Counts a check that passed (one whose failure is reported with {@link problems} directly). */
export function passed(): void {
  checks++;
}

export function checkCount(): number {
  return checks;
}

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asObj = (v: unknown): Obj => (isObj(v) ? v : {});
export const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
