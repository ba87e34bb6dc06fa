import { describe, expect, it } from 'vitest';
import { loadConfig } from './csms-config.js';

describe('contract certificates (CSMS_CONTRACT_CERT_*)', () => {
  it('has no backend by default', () => {
    expect(loadConfig({}).contractCertificates).toEqual({ kind: 'none' });
  });

  it('reads a program with its arguments or a URL, and the timeout', () => {
    expect(
      loadConfig({
        CSMS_CONTRACT_CERT_COMMAND: '/usr/local/bin/pnc  --pool hubject',
        CSMS_CONTRACT_CERT_TIMEOUT: '3',
      }).contractCertificates,
    ).toEqual({ kind: 'command', command: ['/usr/local/bin/pnc', '--pool', 'hubject'], timeoutMs: 3000 });
    expect(
      loadConfig({ CSMS_CONTRACT_CERT_URL: 'http://pnc-adapter:8080/certificates' }).contractCertificates,
    ).toEqual({ kind: 'http', url: 'http://pnc-adapter:8080/certificates', timeoutMs: 4000 });
  });

  it('refuses both at once, a URL that is not http(s) and a timeout out of range', () => {
    expect(() =>
      loadConfig({ CSMS_CONTRACT_CERT_COMMAND: 'pnc', CSMS_CONTRACT_CERT_URL: 'http://x/' }),
    ).toThrow(/CSMS_CONTRACT_CERT_COMMAND and CSMS_CONTRACT_CERT_URL: set one of them, not both/);
    expect(() => loadConfig({ CSMS_CONTRACT_CERT_URL: 'ftp://x/' })).toThrow(/CSMS_CONTRACT_CERT_URL/);
    expect(() => loadConfig({ CSMS_CONTRACT_CERT_URL: 'not a url' })).toThrow(/CSMS_CONTRACT_CERT_URL/);
    expect(() => loadConfig({ CSMS_CONTRACT_CERT_TIMEOUT: '0' })).toThrow(/CSMS_CONTRACT_CERT_TIMEOUT/);
  });
});
