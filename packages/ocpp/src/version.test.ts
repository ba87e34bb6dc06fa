import { describe, it, expect } from 'vitest';
import { NEGOTIABLE_SUBPROTOCOLS, OCPP_VERSIONS, isOcppVersion } from './version.js';

describe('isOcppVersion', () => {
  it('accepts the three subprotocol names', () => {
    for (const version of OCPP_VERSIONS) expect(isOcppVersion(version)).toBe(true);
  });

  it('rejects other values, case-sensitively', () => {
    for (const value of ['ocpp2.0', 'OCPP1.6', 'ocpp1.5', '', null, 16, undefined]) {
      expect(isOcppVersion(value)).toBe(false);
    }
  });
});

describe('NEGOTIABLE_SUBPROTOCOLS', () => {
  it('prefers 2.0.1 over 1.6 and does not negotiate 2.1 yet', () => {
    expect(NEGOTIABLE_SUBPROTOCOLS).toEqual(['ocpp2.0.1', 'ocpp1.6']);
  });
});
