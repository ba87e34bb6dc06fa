import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig } from './csms-config.js';
import { parseSeed } from './seed-file.js';

describe('loadConfig', () => {
  it('has embedded defaults', () => {
    const c = loadConfig({});
    expect(c.edge).toMatchObject({ host: '0.0.0.0', port: 9000, autoRegister: true, maxPayloadBytes: 65536 });
    expect(c.database).toEqual({ kind: 'pglite', dataDir: './data' });
    expect(c.boot).toEqual({ defaultPolicy: 'Accepted', heartbeatIntervalSec: 300, retryIntervalSec: 60 });
  });

  it('reads overrides', () => {
    const c = loadConfig({
      CSMS_PORT: '9100',
      CSMS_AUTO_REGISTER: 'false',
      CSMS_DATABASE_URL: 'postgres://x@127.0.0.1/db',
      CSMS_BOOT_DEFAULT: 'Pending',
      CSMS_DATA_TRANSFER_VENDORS: 'com.acme, org.example',
    });
    expect(c.edge.port).toBe(9100);
    expect(c.edge.autoRegister).toBe(false);
    expect(c.database).toEqual({
      kind: 'postgres',
      url: 'postgres://x@127.0.0.1/db',
      poolSize: 10,
      preparedStatements: true,
      groupCommit: true,
      groupCommitBatches: 8,
    });
    expect(c.boot.defaultPolicy).toBe('Pending');
    expect(c.dataTransferVendors).toEqual(['com.acme', 'org.example']);
  });

  it('reads the early refusal under overload (on by default, off with a target of 0)', () => {
    expect(loadConfig({}).overload).toEqual({ targetMs: 50, windowMs: 1000, bootIntervalSec: 5 });
    expect(
      loadConfig({
        CSMS_OVERLOAD_TARGET_MS: '0',
        CSMS_OVERLOAD_WINDOW_MS: '500',
        CSMS_OVERLOAD_BOOT_INTERVAL: '60',
      }).overload,
    ).toEqual({ targetMs: 0, windowMs: 500, bootIntervalSec: 60 });
    expect(() => loadConfig({ CSMS_OVERLOAD_WINDOW_MS: '10' })).toThrow(/CSMS_OVERLOAD_WINDOW_MS/);
    expect(() => loadConfig({ CSMS_OVERLOAD_BOOT_INTERVAL: 'soon' })).toThrow(/CSMS_OVERLOAD_BOOT_INTERVAL/);
  });

  it('chooses how workers reach the auth and transaction domains', () => {
    expect(loadConfig({}).services.workerDomains).toBe('in-process');
    const urls = { CSMS_AUTH_URL: '127.0.0.1:1', CSMS_TRANSACTION_URL: '127.0.0.1:2' };
    expect(loadConfig(urls).services.workerDomains).toBe('grpc');
    expect(loadConfig({ ...urls, CSMS_WORKER_DOMAINS: 'in-process' }).services.workerDomains).toBe(
      'in-process',
    );
    expect(
      loadConfig({ CSMS_DATABASE_PREPARED_STATEMENTS: 'false', CSMS_DATABASE_URL: 'postgres://x@h/db' })
        .database,
    ).toMatchObject({ preparedStatements: false });
    expect(
      loadConfig({
        CSMS_DATABASE_GROUP_COMMIT: 'false',
        CSMS_DATABASE_GROUP_COMMIT_BATCHES: '3',
        CSMS_DATABASE_URL: 'postgres://x@h/db',
      }).database,
    ).toMatchObject({ groupCommit: false, groupCommitBatches: 3 });
    expect(() =>
      loadConfig({ CSMS_DATABASE_GROUP_COMMIT_BATCHES: '0', CSMS_DATABASE_URL: 'postgres://x@h/db' }),
    ).toThrow(/CSMS_DATABASE_GROUP_COMMIT_BATCHES/);
    expect(() => loadConfig({ CSMS_WORKER_DOMAINS: 'carrier-pigeon' })).toThrow(/CSMS_WORKER_DOMAINS/);
  });

  it('reports every invalid value at once', () => {
    let error: unknown;
    try {
      loadConfig({
        CSMS_PORT: 'eighty',
        CSMS_AUTO_REGISTER: 'maybe',
        CSMS_TLS_CERT_FILE: 'a.pem',
        CSMS_DATABASE_URL: 'mysql://x',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain('CSMS_TLS_CERT_FILE and CSMS_TLS_KEY_FILE must be set together');
    expect(problems.join('\n')).toMatch(/CSMS_PORT="eighty": expected an integer from 0 to 65535/);
  });

  it('reads a second (ECDSA) certificate for the station port, only as a whole pair next to the main one', () => {
    const main = { CSMS_TLS_CERT_FILE: 'rsa.crt', CSMS_TLS_KEY_FILE: 'rsa.key' };
    const ecdsa = { CSMS_TLS_ECDSA_CERT_FILE: 'ec.crt', CSMS_TLS_ECDSA_KEY_FILE: 'ec.key' };
    expect(loadConfig(main).edge.tls).toEqual({ certFile: 'rsa.crt', keyFile: 'rsa.key' });
    expect(loadConfig({ ...main, ...ecdsa }).edge.tls).toEqual({
      certFile: 'rsa.crt',
      keyFile: 'rsa.key',
      ecdsa: { certFile: 'ec.crt', keyFile: 'ec.key' },
    });
    const problemsOf = (env: Record<string, string>): readonly string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    expect(problemsOf({ ...main, CSMS_TLS_ECDSA_CERT_FILE: 'ec.crt' })).toEqual([
      'CSMS_TLS_ECDSA_CERT_FILE and CSMS_TLS_ECDSA_KEY_FILE must be set together',
    ]);
    expect(problemsOf({ ...main, CSMS_TLS_ECDSA_KEY_FILE: 'ec.key' })).toEqual([
      'CSMS_TLS_ECDSA_CERT_FILE and CSMS_TLS_ECDSA_KEY_FILE must be set together',
    ]);
    expect(problemsOf(ecdsa)).toEqual([
      expect.stringContaining('CSMS_TLS_ECDSA_CERT_FILE and CSMS_TLS_ECDSA_KEY_FILE need CSMS_TLS_CERT_FILE'),
    ]);
  });
});

describe('station certificates (CSMS_STATION_CA_*, CSMS_CERT_RENEWAL_*)', () => {
  it('has no CA by default and renews a month ahead, hourly', () => {
    expect(loadConfig({}).stationCertificates).toEqual({
      signer: { kind: 'none' },
      validityDays: 365,
      v2gSigner: { kind: 'none' },
      v2gValidityDays: 60,
      renewalDaysBefore: 30,
      renewalCheckIntervalSec: 3600,
    });
  });

  it('reads the built-in CA files or an external command, not both', () => {
    const files = { CSMS_STATION_CA_CERT_FILE: 'ca.crt', CSMS_STATION_CA_KEY_FILE: 'ca.key' };
    expect(
      loadConfig({ ...files, CSMS_STATION_CERT_ORGANIZATION: 'ACME CSO' }).stationCertificates,
    ).toMatchObject({
      signer: { kind: 'files', certFile: 'ca.crt', keyFile: 'ca.key' },
      organization: 'ACME CSO',
    });
    expect(
      loadConfig({
        CSMS_STATION_CA_COMMAND: '/usr/local/bin/sign  --profile station',
        CSMS_STATION_CA_COMMAND_TIMEOUT: '5',
      }).stationCertificates.signer,
    ).toEqual({ kind: 'command', command: ['/usr/local/bin/sign', '--profile', 'station'], timeoutMs: 5000 });
    expect(() => loadConfig({ ...files, CSMS_STATION_CA_COMMAND: 'sign' })).toThrow(/not both/);
    expect(() => loadConfig({ CSMS_STATION_CA_CERT_FILE: 'ca.crt' })).toThrow(/set both or neither/);
    expect(
      loadConfig({ CSMS_V2G_CA_CERT_FILE: 'v2g.crt', CSMS_V2G_CA_KEY_FILE: 'v2g.key' }).stationCertificates
        .v2gSigner,
    ).toEqual({ kind: 'files', certFile: 'v2g.crt', keyFile: 'v2g.key' });
    expect(() => loadConfig({ CSMS_V2G_CA_KEY_FILE: 'v2g.key' })).toThrow(/CSMS_V2G_CA_CERT_FILE and/);
    expect(() => loadConfig({ ...files, CSMS_STATION_CERT_VALIDITY_DAYS: '30' })).toThrow(
      /CSMS_CERT_RENEWAL_DAYS \(30\) must be less than CSMS_STATION_CERT_VALIDITY_DAYS \(30\)/,
    );
  });
});

describe('OCSP and history retention (CSMS_OCSP_*, CSMS_CONTRACT_ROOTS_FILE, CSMS_*_RETENTION_*)', () => {
  it('has bounded defaults and reads overrides', () => {
    const defaults = loadConfig({});
    expect(defaults.ocsp).toEqual({ timeoutMs: 5000, cacheSeconds: 3600, responders: [] });
    expect(defaults.retention).toEqual({ historyDays: 90, securityEventDays: 365, intervalSec: 3600 });
    const set = loadConfig({
      CSMS_OCSP_TIMEOUT: '2',
      CSMS_OCSP_CACHE_SECONDS: '0',
      CSMS_OCSP_RESPONDERS: 'http://ocsp.example/, https://ocsp2.example/v2g/',
      CSMS_CONTRACT_ROOTS_FILE: '/etc/csms/contract-roots.pem',
      CSMS_REPORT_RETENTION_DAYS: '0',
      CSMS_SECURITY_EVENT_RETENTION_DAYS: '730',
      CSMS_RETENTION_INTERVAL: '60',
    });
    expect(set.ocsp).toEqual({
      timeoutMs: 2000,
      cacheSeconds: 0,
      responders: ['http://ocsp.example/', 'https://ocsp2.example/v2g/'],
      contractRootsFile: '/etc/csms/contract-roots.pem',
    });
    expect(set.retention).toEqual({ historyDays: 0, securityEventDays: 730, intervalSec: 60 });
    expect(() => loadConfig({ CSMS_OCSP_TIMEOUT: '0', CSMS_RETENTION_INTERVAL: '-1' })).toThrow(
      /CSMS_OCSP_TIMEOUT[\s\S]*CSMS_RETENTION_INTERVAL/,
    );
  });
});

describe('parseSeed', () => {
  it('accepts YAML and JSON', () => {
    const yaml = parseSeed(
      'stations:\n  - id: CP001\n    password: "0123456789abcdef"\n    bootPolicy: Pending\nidTokens:\n  - idToken: TAG1\n    expiresAt: "2030-01-01T00:00:00Z"\n',
    );
    expect(yaml.stations[0]).toEqual({ id: 'CP001', password: '0123456789abcdef', bootPolicy: 'Pending' });
    expect(yaml.idTokens[0]?.idToken).toBe('TAG1');
    expect(parseSeed('{"idTokens":[{"idToken":"A","status":"Blocked"}]}').idTokens).toHaveLength(1);
    expect(parseSeed('')).toEqual({ stations: [], idTokens: [] });
  });

  it('explains what is wrong', () => {
    expect(() => parseSeed('stations: [{ id: "a:b" }]')).toThrow(/\/stations\/0\/id must match pattern/);
    expect(() => parseSeed('stations: [{ id: CP1 }]')).toThrow(/security profile 1 and needs a password/);
    expect(() =>
      parseSeed('stations: [{ id: CP1, securityProfile: 0 }, { id: CP1, securityProfile: 0 }]'),
    ).toThrow(/declared twice/);
    expect(() => parseSeed('idTokens: [{ idToken: T, expiresAt: tomorrow }]')).toThrow(
      /must match format "date-time"/,
    );
    expect(() => parseSeed('{ nope')).toThrow(ConfigError);
  });
});
