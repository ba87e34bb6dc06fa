import { describe, expect, it } from 'vitest';
import { selectSubprotocol } from './subprotocol.js';

describe('selectSubprotocol', () => {
  it("follows the station's preference order", () => {
    expect(selectSubprotocol('ocpp2.0.1, ocpp1.6')).toEqual({ kind: 'selected', version: 'ocpp2.0.1' });
    expect(selectSubprotocol('ocpp1.6, ocpp2.0.1')).toEqual({ kind: 'selected', version: 'ocpp1.6' });
    expect(selectSubprotocol('ocpp1.5,ocpp1.6')).toEqual({ kind: 'selected', version: 'ocpp1.6' });
    expect(selectSubprotocol('ocpp2.1, ocpp2.0.1')).toEqual({ kind: 'selected', version: 'ocpp2.0.1' });
  });

  it('reports a missing header and unsupported offers', () => {
    expect(selectSubprotocol(undefined)).toEqual({ kind: 'missing' });
    expect(selectSubprotocol(' , ')).toEqual({ kind: 'missing' });
    expect(selectSubprotocol('ocpp1.5')).toEqual({ kind: 'unsupported', offered: ['ocpp1.5'] });
    // Names are exact tokens.
    expect(selectSubprotocol('OCPP1.6')).toEqual({ kind: 'unsupported', offered: ['OCPP1.6'] });
  });
});
