import { describe, expect, it } from 'vitest';
import { parseBasicAuthorization } from './basic-credentials.js';

const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64');

describe('parseBasicAuthorization', () => {
  it('splits at the first colon; the password may contain colons', () => {
    expect(parseBasicAuthorization(`Basic ${b64('CP1:pa:ss')}`)).toEqual({
      kind: 'basic',
      username: 'CP1',
      password: 'pa:ss',
    });
    expect(parseBasicAuthorization(`basic   ${b64('CP1:')}`)).toEqual({
      kind: 'basic',
      username: 'CP1',
      password: '',
    });
  });

  it('does not percent-decode the username', () => {
    expect(parseBasicAuthorization(`Basic ${b64('RDAM%20123:x')}`)).toMatchObject({ username: 'RDAM%20123' });
  });

  it('passes a binary OCPP 1.6 key on as uppercase hex (OCPP-J 1.6 §6.2.2 example)', () => {
    const key = Buffer.from('0001020304050607FFFFFFCCCCCCCCCCCC', 'hex');
    const header = `Basic ${b64(Buffer.concat([Buffer.from('AL1000:'), key]))}`;
    expect(parseBasicAuthorization(header)).toEqual({
      kind: 'basic',
      username: 'AL1000',
      password: '0001020304050607FFFFFFCCCCCCCCCCCC',
    });
  });

  it('distinguishes no header from a malformed one', () => {
    expect(parseBasicAuthorization(undefined)).toEqual({ kind: 'none' });
    expect(parseBasicAuthorization('')).toEqual({ kind: 'none' });
    expect(parseBasicAuthorization('Bearer abc')).toEqual({ kind: 'malformed' });
    expect(parseBasicAuthorization('Basic !!!')).toEqual({ kind: 'malformed' });
    expect(parseBasicAuthorization(`Basic ${b64('no-colon')}`)).toEqual({ kind: 'malformed' });
  });
});
