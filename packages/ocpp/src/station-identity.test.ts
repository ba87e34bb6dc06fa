import { describe, expect, it } from 'vitest';
import {
  MAX_STATION_ID_LENGTH,
  isValidStationId,
  stationIdFault,
  stationIdProblem,
} from './station-identity.js';

describe('station identity rule', () => {
  it('accepts identifierString characters without ":", plus the space, up to 48 characters', () => {
    for (const id of ['CP001', 'RDAM 123', 'aZ09*-_=+|@.', 'A'.repeat(MAX_STATION_ID_LENGTH)]) {
      expect(stationIdFault(id)).toBeUndefined();
      expect(isValidStationId(id)).toBe(true);
    }
  });

  it.each([
    ['', 'empty', 'must not be empty'],
    ['A'.repeat(49), 'too-long', 'must be at most 48 characters'],
    ['a:b', 'characters', 'may contain only A-Z a-z 0-9 * - _ = + | @ . and space'],
    ['CP/1', 'characters', 'may contain only A-Z a-z 0-9 * - _ = + | @ . and space'],
    ['été', 'characters', 'may contain only A-Z a-z 0-9 * - _ = + | @ . and space'],
    ['CP\n1', 'characters', 'may contain only A-Z a-z 0-9 * - _ = + | @ . and space'],
  ])('refuses %j (%s)', (id, fault, problem) => {
    expect(stationIdFault(id)).toBe(fault);
    expect(stationIdProblem(id)).toBe(problem);
    expect(isValidStationId(id)).toBe(false);
  });

  it('takes a lower length limit', () => {
    expect(stationIdProblem('ABCD', 3)).toBe('must be at most 3 characters');
    expect(isValidStationId('ABC', 3)).toBe(true);
  });
});
