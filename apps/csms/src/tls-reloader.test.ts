import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { createLogger } from '@csms/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, makeRsaServer, type Pki } from '../../../test/support/pki.js';
import { startTlsReloader, type TlsFileContents } from './tls-reloader.js';

let dir: string;
let pki: Pki;
const lines: { level: string; msg: string }[] = [];
const logger = createLogger({
  service: 'test',
  level: 'info',
  destination: { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[0]) },
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tls-reloader-'));
  pki = makePki(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a key pair into fresh files; returns the files and their contents. */
function writePair(name: string, pair: { key: string; cert: string }) {
  const files = { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
  writeFileSync(files.certFile, pair.cert);
  writeFileSync(files.keyFile, pair.key);
  return { files, contents: { cert: Buffer.from(pair.cert), key: Buffer.from(pair.key) } };
}

/** Applies like the edge does: a secure context that must build (key matches certificate). */
function recordingApply(applied: TlsFileContents[]) {
  return (contents: TlsFileContents): void => {
    createSecureContext({ cert: contents.cert, key: contents.key });
    applied.push(contents);
  };
}

describe('startTlsReloader', () => {
  it('does nothing while the files are unchanged; SIGHUP applies a change when polling is off', async () => {
    const { files, contents } = writePair('a', { key: pki.serverKey, cert: pki.serverCert });
    const applied: TlsFileContents[] = [];
    const listenersBefore = process.listenerCount('SIGHUP');
    const reloader = startTlsReloader({
      files,
      initial: contents,
      apply: recordingApply(applied),
      intervalMs: 0,
      logger,
    });
    expect(process.listenerCount('SIGHUP')).toBe(listenersBefore + 1);
    try {
      await expect(reloader.check()).resolves.toBe('unchanged');
      writeFileSync(files.keyFile, pki.renewed.key);
      writeFileSync(files.certFile, pki.renewed.cert);
      process.emit('SIGHUP', 'SIGHUP');
      await expect.poll(() => applied.length).toBe(1);
      expect(applied[0]?.cert.toString()).toBe(pki.renewed.cert);
      await expect(reloader.check()).resolves.toBe('unchanged');
    } finally {
      reloader.stop();
    }
    expect(process.listenerCount('SIGHUP')).toBe(listenersBefore);
  });

  it('keeps the current identity when a file is missing or the pair does not match', async () => {
    const { files, contents } = writePair('b', { key: pki.serverKey, cert: pki.serverCert });
    const applied: TlsFileContents[] = [];
    const reloader = startTlsReloader({
      files,
      initial: contents,
      apply: recordingApply(applied),
      intervalMs: 0,
      logger,
      onSighup: false,
    });
    try {
      writeFileSync(files.certFile, pki.renewed.cert);
      await expect(reloader.check()).resolves.toBe('failed');
      await expect(reloader.check()).resolves.toBe('failed');
      expect(lines.filter((l) => l.msg.includes('cannot be used'))).toHaveLength(1);

      unlinkSync(files.keyFile);
      await expect(reloader.check()).resolves.toBe('failed');
      expect(lines.some((l) => l.msg.includes('cannot be read'))).toBe(true);

      writeFileSync(files.keyFile, pki.renewed.key);
      await expect(reloader.check()).resolves.toBe('reloaded');
      expect(applied).toHaveLength(1);
    } finally {
      reloader.stop();
    }
  });
});

describe('startTlsReloader with the second (ECDSA) pair', () => {
  it('watches the second (ECDSA) pair too: a change of that pair alone is applied, a half-renewed one is not', async () => {
    const rsa = writePair('c', makeRsaServer(dir));
    const ecdsa = writePair('c-ecdsa', { key: pki.serverKey, cert: pki.serverCert });
    const applied: TlsFileContents[] = [];
    const reloader = startTlsReloader({
      files: { ...rsa.files, ecdsa: ecdsa.files },
      initial: { ...rsa.contents, ecdsa: ecdsa.contents },
      // Like the edge: one secure context with both certificates (a key must match its certificate).
      apply: (contents) => {
        const pairs = [contents, contents.ecdsa].filter((p) => p !== undefined);
        createSecureContext({ cert: pairs.map((p) => p.cert), key: pairs.map((p) => p.key) });
        applied.push(contents);
      },
      intervalMs: 0,
      logger,
      onSighup: false,
    });
    try {
      await expect(reloader.check()).resolves.toBe('unchanged');
      writeFileSync(ecdsa.files.keyFile, pki.renewed.key);
      await expect(reloader.check()).resolves.toBe('failed');
      writeFileSync(ecdsa.files.certFile, pki.renewed.cert);
      await expect(reloader.check()).resolves.toBe('reloaded');
      expect(applied).toHaveLength(1);
      expect(applied[0]?.ecdsa?.cert.toString()).toBe(pki.renewed.cert);
      expect(applied[0]?.cert).toEqual(rsa.contents.cert);
      expect(lines).toContainEqual(
        expect.objectContaining({
          msg: 'edge TLS certificate reloaded',
          ecdsaCertificate: expect.objectContaining({
            fingerprint256: new X509Certificate(pki.renewed.cert).fingerprint256,
          }) as unknown,
        }),
      );
      await expect(reloader.check()).resolves.toBe('unchanged');
    } finally {
      reloader.stop();
    }
  });
});
