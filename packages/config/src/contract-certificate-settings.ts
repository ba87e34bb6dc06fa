import type { EnvReader } from './env.js';

/**
 * CSMS_CONTRACT_CERT_*: the backend that answers an EV's ISO 15118 certificate installation or update (2.0.1
 * Get15118EVCertificate, M01/M02): an external program, an HTTP backend, or none (the station is answered Failed).
 */
export type ContractCertificateSettings =
  | {
      readonly kind: 'command';
      readonly command: readonly [string, ...string[]];
      readonly timeoutMs: number;
    }
  | { readonly kind: 'http'; readonly url: string; readonly timeoutMs: number }
  | { readonly kind: 'none' };

/**
 * Reads CSMS_CONTRACT_CERT_COMMAND (space-separated program and arguments) or CSMS_CONTRACT_CERT_URL (not both) and
 * CSMS_CONTRACT_CERT_TIMEOUT. The default timeout is 4 s: ISO 15118-2's message timeout for CertificateInstallationReq
 * and CertificateUpdateReq is 5 s (2.0.1 M01/M02 remarks), after which the EV has given up and an answer is wasted;
 * it also keeps the CALL within the edge's 5 s attempt to reach the station's actor.
 */
export function contractCertificateSettings(r: EnvReader): ContractCertificateSettings {
  const command = r.list('CSMS_CONTRACT_CERT_COMMAND', ' ');
  const url = r.string('CSMS_CONTRACT_CERT_URL');
  const timeoutMs = r.int('CSMS_CONTRACT_CERT_TIMEOUT', 4, { min: 1, max: 60 }) * 1000;
  if (command.length > 0 && url !== undefined) {
    r.problems.push('CSMS_CONTRACT_CERT_COMMAND and CSMS_CONTRACT_CERT_URL: set one of them, not both');
    return { kind: 'none' };
  }
  if (command.length > 0) return { kind: 'command', command: command as [string, ...string[]], timeoutMs };
  if (url === undefined) return { kind: 'none' };
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    r.problems.push(`CSMS_CONTRACT_CERT_URL=${JSON.stringify(url)}: expected an http:// or https:// URL`);
    return { kind: 'none' };
  }
  return { kind: 'http', url, timeoutMs };
}
