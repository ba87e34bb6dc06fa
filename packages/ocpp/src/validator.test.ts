import { describe, it, expect } from 'vitest';
import { createValidator } from './validator.js';
import type { OcppError } from './errors.js';

const validator = createValidator();

function expectError(error: OcppError | undefined): OcppError {
  if (error === undefined) throw new Error('expected a validation error');
  return error;
}

const v16Boot = { chargePointVendor: 'VendorX', chargePointModel: 'SingleSocketCharger' };
const v2Boot = {
  reason: 'PowerUp',
  chargingStation: { model: 'SingleSocketCharger', vendorName: 'VendorX' },
};

describe('valid payloads pass', () => {
  it('BootNotification in 1.6, 2.0.1 and 2.1', () => {
    expect(validator.validateRequest('ocpp1.6', 'BootNotification', v16Boot)).toBeUndefined();
    expect(validator.validateRequest('ocpp2.0.1', 'BootNotification', v2Boot)).toBeUndefined();
    expect(validator.validateRequest('ocpp2.1', 'BootNotification', v2Boot)).toBeUndefined();
  });

  it('BootNotification responses', () => {
    const v16 = { status: 'Accepted', currentTime: '2013-02-01T20:53:32.486Z', interval: 300 };
    expect(validator.validateResponse('ocpp1.6', 'BootNotification', v16)).toBeUndefined();
    const v2 = { status: 'Accepted', currentTime: '2013-02-01T20:53:32.486Z', interval: 300 };
    expect(validator.validateResponse('ocpp2.0.1', 'BootNotification', v2)).toBeUndefined();
    expect(validator.validateResponse('ocpp2.1', 'BootNotification', v2)).toBeUndefined();
  });

  it('1.6 security extension messages (draft-06 schemas)', () => {
    const event = { type: 'FirmwareUpdated', timestamp: '2024-01-01T00:00:00Z' };
    expect(validator.validateRequest('ocpp1.6', 'SecurityEventNotification', event)).toBeUndefined();
    expect(validator.validateResponse('ocpp1.6', 'SecurityEventNotification', {})).toBeUndefined();
  });

  it('2.0.1 customData may carry vendor extensions', () => {
    const payload = { ...v2Boot, customData: { vendorId: 'acme', anything: [1, 2] } };
    expect(validator.validateRequest('ocpp2.0.1', 'BootNotification', payload)).toBeUndefined();
  });

  it('1.6 multipleOf 0.1 tolerates floating point (limit 16.3)', () => {
    const payload = {
      connectorId: 1,
      csChargingProfiles: {
        chargingProfileId: 1,
        stackLevel: 0,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Absolute',
        chargingSchedule: {
          chargingRateUnit: 'A',
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 16.3 }],
        },
      },
    };
    expect(validator.validateRequest('ocpp1.6', 'SetChargingProfile', payload)).toBeUndefined();
    const bad = structuredClone(payload);
    const period = bad.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0];
    if (period) period.limit = 16.35;
    expect(expectError(validator.validateRequest('ocpp1.6', 'SetChargingProfile', bad)).code).toBe(
      'PropertyConstraintViolation',
    );
  });

  it('1.6 StopTransaction without reason (OCPP-J 1.6 errata §2.6)', () => {
    const payload = { transactionId: 1, meterStop: 10, timestamp: '2024-01-01T00:00:00Z' };
    expect(validator.validateRequest('ocpp1.6', 'StopTransaction', payload)).toBeUndefined();
  });
});

describe('error codes per version', () => {
  it('missing required field → OccurenceConstraintViolation (1.6) / OccurrenceConstraintViolation (2.x)', () => {
    const v16 = expectError(
      validator.validateRequest('ocpp1.6', 'BootNotification', { chargePointVendor: 'x' }),
    );
    expect(v16.code).toBe('OccurenceConstraintViolation');
    expect(v16.description).toContain('chargePointModel');
    const v201 = expectError(
      validator.validateRequest('ocpp2.0.1', 'BootNotification', { reason: 'PowerUp' }),
    );
    expect(v201.code).toBe('OccurrenceConstraintViolation');
    const v21 = expectError(validator.validateRequest('ocpp2.1', 'BootNotification', { reason: 'PowerUp' }));
    expect(v21.code).toBe('OccurrenceConstraintViolation');
  });

  it('string too long → PropertyConstraintViolation with pointer and ajv message', () => {
    const payload = { ...v16Boot, chargePointVendor: 'x'.repeat(21) };
    const error = expectError(validator.validateRequest('ocpp1.6', 'BootNotification', payload));
    expect(error.code).toBe('PropertyConstraintViolation');
    expect(error.description).toBe('/chargePointVendor must NOT have more than 20 characters');
    expect(error.details).toMatchObject({
      pointer: '/chargePointVendor',
      keyword: 'maxLength',
      message: 'must NOT have more than 20 characters',
    });
    const v2 = { ...v2Boot, chargingStation: { ...v2Boot.chargingStation, model: 'm'.repeat(21) } };
    const v201 = expectError(validator.validateRequest('ocpp2.0.1', 'BootNotification', v2));
    expect(v201.code).toBe('PropertyConstraintViolation');
    expect(v201.details).toMatchObject({ pointer: '/chargingStation/model' });
  });

  it('value not in enum → PropertyConstraintViolation', () => {
    const error = expectError(
      validator.validateRequest('ocpp2.0.1', 'BootNotification', { ...v2Boot, reason: 'Nope' }),
    );
    expect(error.code).toBe('PropertyConstraintViolation');
    expect(error.description).toContain('/reason');
  });

  it('wrong type → TypeConstraintViolation in every version', () => {
    const v16 = expectError(
      validator.validateRequest('ocpp1.6', 'BootNotification', { ...v16Boot, iccid: 12 }),
    );
    expect(v16.code).toBe('TypeConstraintViolation');
    const v201 = expectError(validator.validateRequest('ocpp2.0.1', 'Heartbeat', { customData: 'x' }));
    expect(v201.code).toBe('TypeConstraintViolation');
    const root = expectError(validator.validateRequest('ocpp2.1', 'Heartbeat', []));
    expect(root.code).toBe('TypeConstraintViolation');
  });

  it('invalid date-time → TypeConstraintViolation', () => {
    const payload = { transactionId: 1, meterStop: 10, timestamp: 'yesterday' };
    const error = expectError(validator.validateRequest('ocpp1.6', 'StopTransaction', payload));
    expect(error.code).toBe('TypeConstraintViolation');
    expect(error.details).toMatchObject({ pointer: '/timestamp', keyword: 'format' });
  });

  it('unknown field → OccurenceConstraintViolation (1.6) / OccurrenceConstraintViolation (2.x)', () => {
    const v16 = expectError(validator.validateRequest('ocpp1.6', 'Heartbeat', { extra: 1 }));
    expect(v16.code).toBe('OccurenceConstraintViolation');
    expect(v16.description).toContain('extra');
    const v201 = expectError(validator.validateRequest('ocpp2.0.1', 'Heartbeat', { extra: 1 }));
    expect(v201.code).toBe('OccurrenceConstraintViolation');
  });

  it('too few array items → OccurrenceConstraintViolation', () => {
    const payload = { evseId: 1, meterValue: [] };
    const error = expectError(validator.validateRequest('ocpp2.0.1', 'MeterValues', payload));
    expect(error.code).toBe('OccurrenceConstraintViolation');
    expect(error.details).toMatchObject({ keyword: 'minItems', pointer: '/meterValue' });
  });

  it('below minimum → PropertyConstraintViolation (2.1 "integer, 0 <= val")', () => {
    expect(validator.validateRequest('ocpp2.1', 'GetTariffs', { evseId: 0 })).toBeUndefined();
    const error = expectError(validator.validateRequest('ocpp2.1', 'GetTariffs', { evseId: -1 }));
    expect(error.code).toBe('PropertyConstraintViolation');
    expect(error.details).toMatchObject({ keyword: 'minimum', pointer: '/evseId' });
  });

  it('non-integer for an integer field → TypeConstraintViolation', () => {
    const error = expectError(
      validator.validateRequest('ocpp1.6', 'GetDiagnostics', { location: 'ftp://x/y', retries: 1.5 }),
    );
    expect(error.code).toBe('TypeConstraintViolation');
  });

  it('validates responses', () => {
    const bad = { status: 'Maybe', currentTime: '2013-02-01T20:53:32.486Z', interval: 300 };
    expect(expectError(validator.validateResponse('ocpp1.6', 'BootNotification', bad)).code).toBe(
      'PropertyConstraintViolation',
    );
    expect(expectError(validator.validateResponse('ocpp2.0.1', 'BootNotification', {})).code).toBe(
      'OccurrenceConstraintViolation',
    );
    expect(
      validator.validateResponse('ocpp2.0.1', 'Heartbeat', { currentTime: '2024-01-01T00:00:00Z' }),
    ).toBe(undefined);
  });

  it('never throws, whatever the payload', () => {
    for (const payload of [undefined, null, 0, 'x', [], { a: { b: [1] } }, Object.create(null) as object]) {
      expect(() => validator.validateRequest('ocpp2.0.1', 'BootNotification', payload)).not.toThrow();
      expect(() => validator.validateResponse('ocpp1.6', 'GetConfiguration', payload)).not.toThrow();
    }
  });
});

describe('actions', () => {
  it('detects unknown actions', () => {
    expect(validator.isKnownAction('ocpp1.6', 'BootNotification')).toBe(true);
    expect(validator.isKnownAction('ocpp1.6', 'TransactionEvent')).toBe(false);
    expect(validator.isKnownAction('ocpp2.0.1', 'TransactionEvent')).toBe(true);
    expect(validator.isKnownAction('ocpp2.0.1', 'StartTransaction')).toBe(false);
    expect(validator.isKnownAction('ocpp2.0.1', 'bootnotification')).toBe(false);
    expect(validator.isKnownAction('ocpp2.0.1', 'toString')).toBe(false);
    expect(validator.isKnownAction('ocpp2.1', 'BatterySwap')).toBe(true);
    expect(validator.isKnownAction('ocpp2.0.1', 'BatterySwap')).toBe(false);
  });

  it('answers unknown actions with NotImplemented', () => {
    const error = expectError(validator.validateRequest('ocpp2.0.1', 'StartTransaction', {}));
    expect(error.code).toBe('NotImplemented');
    expect(expectError(validator.validateRequest('ocpp1.6', 'Nope', {})).code).toBe('NotImplemented');
    expect(expectError(validator.validateResponse('ocpp1.6', 'Nope', {})).code).toBe('NotImplemented');
  });

  it('knows who sends each request', () => {
    expect(validator.senderOf('ocpp1.6', 'BootNotification')).toBe('station');
    expect(validator.senderOf('ocpp1.6', 'RemoteStartTransaction')).toBe('csms');
    expect(validator.senderOf('ocpp1.6', 'DataTransfer')).toBe('both');
    expect(validator.senderOf('ocpp1.6', 'SignCertificate')).toBe('station');
    expect(validator.senderOf('ocpp1.6', 'ExtendedTriggerMessage')).toBe('csms');
    expect(validator.senderOf('ocpp2.0.1', 'TransactionEvent')).toBe('station');
    expect(validator.senderOf('ocpp2.0.1', 'RequestStartTransaction')).toBe('csms');
    expect(validator.senderOf('ocpp2.0.1', 'DataTransfer')).toBe('both');
    expect(validator.senderOf('ocpp2.1', 'SetDERControl')).toBe('csms');
    expect(validator.senderOf('ocpp2.1', 'NotifyDERAlarm')).toBe('station');
    expect(validator.senderOf('ocpp2.0.1', 'Unknown')).toBeUndefined();
  });

  it('precompiles every schema', () => {
    expect(() => createValidator().precompileAll()).not.toThrow();
  });
});
