import { Status } from 'nice-grpc-common';
import { BadRequest, ErrorInfo, type RichServerError } from 'nice-grpc-error-details';
import { describe, expect, it } from 'vitest';
import { RequestViolations, requireStationId } from './request-violations.js';

function thrown(run: () => void): RichServerError {
  try {
    run();
  } catch (error) {
    return error as RichServerError;
  }
  throw new Error('expected a throw');
}

describe('RequestViolations', () => {
  it('throws nothing without violations', () => {
    const v = new RequestViolations();
    v.check(true, 'a', 'never');
    v.stationId('station_id', 'RDAM 123');
    expect(v.empty).toBe(true);
    expect(() => v.throwIfAny('invalid request')).not.toThrow();
  });

  it('throws one INVALID_ARGUMENT with a BadRequest listing every violation in order', () => {
    const v = new RequestViolations();
    v.stationId('station_id', 'a:b');
    v.check(false, 'evse_id', 'must be >= 0');
    v.addAll([{ field: 'purpose', description: 'unknown value' }]);
    const error = thrown(() => v.throwIfAny('invalid filter'));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.extra).toEqual([
      BadRequest.fromPartial({
        fieldViolations: [
          { field: 'station_id', description: 'may contain only A-Z a-z 0-9 * - _ = + | @ . and space' },
          { field: 'evse_id', description: 'must be >= 0' },
          { field: 'purpose', description: 'unknown value' },
        ],
      }),
      ErrorInfo.fromPartial({ reason: 'INVALID_ARGUMENT', domain: 'csms.ocpp' }),
    ]);
    expect(error.details).toBe(
      'invalid filter: station_id may contain only A-Z a-z 0-9 * - _ = + | @ . and space; ' +
        'evse_id must be >= 0; purpose unknown value',
    );
  });

  it('requireStationId applies the @csms/ocpp rule (48 characters)', () => {
    expect(() => requireStationId('A'.repeat(48))).not.toThrow();
    const error = thrown(() => requireStationId('A'.repeat(49), 'id'));
    expect(error.extra[0]).toEqual(
      BadRequest.fromPartial({
        fieldViolations: [{ field: 'id', description: 'must be at most 48 characters' }],
      }),
    );
  });
});
