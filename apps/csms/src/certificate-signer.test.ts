/**
 * The station CA settings at start (certificateSignersFrom): none, the built-in CA from its files, an external
 * program; files that cannot serve as a CA stop the start with a ConfigError naming them. The contract roots
 * (contractRootsFrom) likewise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@csms/config';
import { CommandCertificateSigner, FileCertificateAuthority } from '@csms/station-ca';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateSignersFrom, contractRootsFrom } from './components.js';

let dir: string;

/** A self-signed certificate `<name>.crt` / `<name>.key`, a CA or not. */
function selfSigned(name: string, ca: boolean): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/O=Test CSO/CN=${name}`,
      ...(ca ? ['-addext', 'basicConstraints=critical,CA:TRUE'] : ['-addext', 'basicConstraints=CA:FALSE']),
    ],
    { cwd: dir, stdio: 'pipe' },
  );
}

const files = (cert: string, key: string) =>
  loadConfig({ CSMS_STATION_CA_CERT_FILE: join(dir, cert), CSMS_STATION_CA_KEY_FILE: join(dir, key) });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'signer-from-'));
  selfSigned('ca', true);
  selfSigned('other', true);
  selfSigned('leaf', false);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('certificateSignersFrom', () => {
  it('builds no signer, the built-in CA or the external program from the settings', async () => {
    expect(await certificateSignersFrom(loadConfig({}))).toEqual({});
    const built = await certificateSignersFrom(files('ca.crt', 'ca.key'));
    expect(built.ChargingStationCertificate).toBeInstanceOf(FileCertificateAuthority);
    expect(built.V2GCertificate).toBeUndefined();
    // The external program is told the type: it signs both.
    const command = await certificateSignersFrom(
      loadConfig({ CSMS_STATION_CA_COMMAND: '/usr/local/bin/sign-csr --station' }),
    );
    expect(command.ChargingStationCertificate).toBeInstanceOf(CommandCertificateSigner);
    expect(command.V2GCertificate).toBe(command.ChargingStationCertificate);
    // A V2G sub-CA of its own next to the station CA.
    const both = await certificateSignersFrom(
      loadConfig({
        CSMS_STATION_CA_CERT_FILE: join(dir, 'ca.crt'),
        CSMS_STATION_CA_KEY_FILE: join(dir, 'ca.key'),
        CSMS_V2G_CA_CERT_FILE: join(dir, 'other.crt'),
        CSMS_V2G_CA_KEY_FILE: join(dir, 'other.key'),
      }),
    );
    expect(both.V2GCertificate).toBeInstanceOf(FileCertificateAuthority);
    expect(both.V2GCertificate).not.toBe(both.ChargingStationCertificate);
  });

  it('stops the start with a ConfigError when the files cannot be a CA', async () => {
    const refused = async (cert: string, key: string) => {
      const error: unknown = await certificateSignersFrom(files(cert, key)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).message;
    };
    expect(await refused('ca.crt', 'other.key')).toMatch(/does not belong to the CA certificate/);
    expect(await refused('leaf.crt', 'leaf.key')).toMatch(/not a CA certificate/);
    expect(await refused('missing.crt', 'ca.key')).toMatch(/missing\.crt/);
  });
});

describe('contractRootsFrom (CSMS_CONTRACT_ROOTS_FILE)', () => {
  const roots = (file?: string) =>
    contractRootsFrom(loadConfig(file === undefined ? {} : { CSMS_CONTRACT_ROOTS_FILE: join(dir, file) }));

  it('reads every certificate of the PEM file; none configured is no roots', () => {
    writeFileSync(
      join(dir, 'roots.pem'),
      readFileSync(join(dir, 'ca.crt'), 'utf8') + readFileSync(join(dir, 'other.crt'), 'utf8'),
    );
    expect(roots('roots.pem')).toHaveLength(2);
    expect(roots()).toEqual([]);
  });

  it('stops the start when the file is missing or holds no certificate', () => {
    writeFileSync(join(dir, 'empty.pem'), 'nothing here\n');
    expect(() => roots('absent.pem')).toThrow(ConfigError);
    expect(() => roots('absent.pem')).toThrow(/CSMS_CONTRACT_ROOTS_FILE/);
    expect(() => roots('empty.pem')).toThrow(/no PEM certificate/);
  });
});
