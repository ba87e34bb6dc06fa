import type { FieldViolation } from '@csms/grpc';

/** Collects the field violations of a request, so that a client learns every problem at once. */
export class Violations {
  readonly list: FieldViolation[] = [];

  add(field: string, description: string): void {
    this.list.push({ field, description });
  }

  /** Adds a violation unless `ok`. */
  check(ok: boolean, field: string, description: string): void {
    if (!ok) this.add(field, description);
  }

  get empty(): boolean {
    return this.list.length === 0;
  }
}

/** At most one decimal (OCPP 1.6 multipleOf 0.1; 2.0.1 "accepts at most one digit fraction"). */
export function hasOneDecimalAtMost(value: number): boolean {
  return Number.isFinite(value) && Math.abs(value * 10 - Math.round(value * 10)) < 1e-6;
}

export const INT32_MAX = 2_147_483_647;
