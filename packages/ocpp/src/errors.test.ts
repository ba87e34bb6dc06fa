import { describe, it, expect } from 'vitest';
import { OcppError, errorCodesOf, versionedCode } from './errors.js';
import type { OcppErrorCode } from './errors.js';

const ALL_CODES: readonly OcppErrorCode[] = [
  'FormatViolation',
  'FormationViolation',
  'GenericError',
  'InternalError',
  'MessageTypeNotSupported',
  'NotImplemented',
  'NotSupported',
  'OccurenceConstraintViolation',
  'OccurrenceConstraintViolation',
  'PropertyConstraintViolation',
  'ProtocolError',
  'RpcFrameworkError',
  'SecurityError',
  'TypeConstraintViolation',
];

describe('errorCodesOf', () => {
  it('has the 10 OCPP-J 1.6 codes with their original spelling', () => {
    expect([...errorCodesOf('ocpp1.6')].sort()).toEqual(
      [
        'FormationViolation',
        'GenericError',
        'InternalError',
        'NotImplemented',
        'NotSupported',
        'OccurenceConstraintViolation',
        'PropertyConstraintViolation',
        'ProtocolError',
        'SecurityError',
        'TypeConstraintViolation',
      ].sort(),
    );
  });

  it('has the 12 codes of 2.0.1 part 4 Table 8 for 2.0.1 and 2.1', () => {
    for (const version of ['ocpp2.0.1', 'ocpp2.1'] as const) {
      const codes = errorCodesOf(version);
      expect(codes.size).toBe(12);
      expect(codes.has('FormatViolation')).toBe(true);
      expect(codes.has('OccurrenceConstraintViolation')).toBe(true);
      expect(codes.has('RpcFrameworkError')).toBe(true);
      expect(codes.has('MessageTypeNotSupported')).toBe(true);
      expect(codes.has('FormationViolation')).toBe(false);
      expect(codes.has('OccurenceConstraintViolation')).toBe(false);
    }
  });
});

describe('versionedCode', () => {
  it('uses the 1.6 spelling for 1.6', () => {
    expect(versionedCode('ocpp1.6', 'FormatViolation')).toBe('FormationViolation');
    expect(versionedCode('ocpp1.6', 'OccurrenceConstraintViolation')).toBe('OccurenceConstraintViolation');
  });

  it('uses the corrected spelling for 2.0.1 and 2.1', () => {
    for (const version of ['ocpp2.0.1', 'ocpp2.1'] as const) {
      expect(versionedCode(version, 'FormationViolation')).toBe('FormatViolation');
      expect(versionedCode(version, 'OccurenceConstraintViolation')).toBe('OccurrenceConstraintViolation');
    }
  });

  it('maps 2.x-only codes to the nearest 1.6 code', () => {
    expect(versionedCode('ocpp1.6', 'RpcFrameworkError')).toBe('FormationViolation');
    expect(versionedCode('ocpp1.6', 'MessageTypeNotSupported')).toBe('NotImplemented');
  });

  it('keeps codes that exist in the version', () => {
    expect(versionedCode('ocpp1.6', 'ProtocolError')).toBe('ProtocolError');
    expect(versionedCode('ocpp2.0.1', 'SecurityError')).toBe('SecurityError');
  });

  it('always returns a code valid in the target version', () => {
    for (const version of ['ocpp1.6', 'ocpp2.0.1', 'ocpp2.1'] as const) {
      for (const code of ALL_CODES)
        expect(errorCodesOf(version).has(versionedCode(version, code))).toBe(true);
    }
  });
});

describe('OcppError', () => {
  it('carries code, description, details and cause', () => {
    const cause = new Error('db down');
    const error = new OcppError('SecurityError', 'not accepted', { a: 1 }, { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('OcppError');
    expect(error.code).toBe('SecurityError');
    expect(error.description).toBe('not accepted');
    expect(error.message).toBe('not accepted');
    expect(error.details).toEqual({ a: 1 });
    expect(error.cause).toBe(cause);
  });

  it('defaults to an empty description and details object', () => {
    const error = new OcppError('NotSupported');
    expect(error.description).toBe('');
    expect(error.details).toEqual({});
    expect(error.message).toBe('NotSupported');
  });

  it('from() returns OcppErrors unchanged', () => {
    const error = new OcppError('NotSupported', 'x');
    expect(OcppError.from(error)).toBe(error);
  });

  it('from() wraps anything else as InternalError without leaking its message', () => {
    const cause = new Error('password=hunter2 at /srv/secret.ts');
    const wrapped = OcppError.from(cause);
    expect(wrapped.code).toBe('InternalError');
    expect(wrapped.cause).toBe(cause);
    expect(wrapped.description).not.toContain('hunter2');
    expect(JSON.stringify(wrapped.details)).not.toContain('hunter2');
    expect(OcppError.from('boom').code).toBe('InternalError');
  });

  it('forVersion() re-spells the code', () => {
    const error = new OcppError('OccurrenceConstraintViolation', 'missing', { pointer: '' });
    const v16 = error.forVersion('ocpp1.6');
    expect(v16.code).toBe('OccurenceConstraintViolation');
    expect(v16.description).toBe('missing');
    expect(v16.details).toEqual({ pointer: '' });
    expect(error.forVersion('ocpp2.0.1')).toBe(error);
  });
});
