import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from '@csms/telemetry';

/**
 * The files of a TLS identity, as configured (CSMS_TLS_CERT_FILE, CSMS_TLS_KEY_FILE, CSMS_TLS_CA_FILE, and the second
 * certificate CSMS_TLS_ECDSA_CERT_FILE, CSMS_TLS_ECDSA_KEY_FILE).
 */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile?: string;
  readonly ecdsa?: { readonly certFile: string; readonly keyFile: string };
}

/** The contents of {@link TlsFiles}. */
export interface TlsFileContents {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
  readonly ecdsa?: { readonly cert: Buffer; readonly key: Buffer };
}

export interface TlsReloaderOptions {
  readonly files: TlsFiles;
  /** The contents in use at start (read by the caller before listening): only a change is applied. */
  readonly initial: TlsFileContents;
  /** Installs new contents; throws when they are unusable (the current ones stay in use). */
  readonly apply: (contents: TlsFileContents) => void;
  /** Poll interval; 0 = no polling (SIGHUP and {@link TlsReloader.check} still reload). */
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Reload on SIGHUP too (default true; the process's other SIGHUP listeners are left alone). */
  readonly onSighup?: boolean;
}

export type TlsCheckResult = 'unchanged' | 'reloaded' | 'failed';

/** A running reloader; see {@link startTlsReloader}. */
export interface TlsReloader {
  /** Reads the files now and applies them when they changed. Never rejects. */
  check(): Promise<TlsCheckResult>;
  stop(): void;
}

/**
 * Re-reads the edge's TLS files and applies a changed certificate, key or CA without a restart, so a renewed
 * certificate (cert-manager, a rotated Kubernetes Secret: the kubelet swaps the mounted files atomically within
 * about a minute) reaches new station connections while the open ones stay up.
 *
 * Polls the contents rather than watching: Kubernetes replaces Secret files by swapping a `..data` symlink,
 * which `fs.watch` misses on the files themselves, and a few small reads per interval cost nothing. A
 * half-renewed set (new certificate, old key) fails to apply and is logged; the current identity stays in use
 * and the next check tries again, and the same failure is logged once, not at every interval.
 */
export function startTlsReloader(options: TlsReloaderOptions): TlsReloader {
  const { files, logger } = options;
  let current = options.initial;
  let lastFailed: TlsFileContents | undefined;
  let running: Promise<TlsCheckResult> | undefined;

  const attempt = async (): Promise<TlsCheckResult> => {
    let next: TlsFileContents;
    try {
      next = await readContents(files);
    } catch (error: unknown) {
      logger.error(
        { err: error, ...files },
        'edge TLS files cannot be read: the current certificate stays in use',
      );
      return 'failed';
    }
    if (sameContents(next, current)) return 'unchanged';
    if (lastFailed !== undefined && sameContents(next, lastFailed)) return 'failed';
    try {
      options.apply(next);
    } catch (error: unknown) {
      lastFailed = next;
      logger.error(
        { err: error, ...files },
        'edge TLS files changed but cannot be used (certificate and key do not match, bad PEM, wrong key type): ' +
          'the current certificate stays in use',
      );
      return 'failed';
    }
    current = next;
    lastFailed = undefined;
    const ecdsa = next.ecdsa ? { ecdsaCertificate: describeCertificate(next.ecdsa.cert) } : {};
    logger.info({ ...files, ...describeCertificate(next.cert), ...ecdsa }, 'edge TLS certificate reloaded');
    return 'reloaded';
  };
  // One check at a time: a SIGHUP during a poll joins it.
  const check = (): Promise<TlsCheckResult> =>
    (running ??= attempt().finally(() => {
      running = undefined;
    }));

  const timer = options.intervalMs > 0 ? setInterval(() => void check(), options.intervalMs) : undefined;
  timer?.unref();
  const onSighup = (): void => {
    logger.info('SIGHUP: checking the edge TLS files');
    void check();
  };
  if (options.onSighup ?? true) process.on('SIGHUP', onSighup);
  return {
    check,
    stop: () => {
      if (timer) clearInterval(timer);
      process.off('SIGHUP', onSighup);
    },
  };
}

/** Reads all the files (both pairs and the CA) at once; rejects when one cannot be read. */
async function readContents(files: TlsFiles): Promise<TlsFileContents> {
  const optional = (path: string | undefined) => (path !== undefined ? readFile(path) : undefined);
  const [cert, key, ca, ecdsaCert, ecdsaKey] = await Promise.all([
    readFile(files.certFile),
    readFile(files.keyFile),
    optional(files.caFile),
    optional(files.ecdsa?.certFile),
    optional(files.ecdsa?.keyFile),
  ]);
  return {
    cert,
    key,
    ...(ca !== undefined ? { ca } : {}),
    ...(ecdsaCert !== undefined && ecdsaKey !== undefined
      ? { ecdsa: { cert: ecdsaCert, key: ecdsaKey } }
      : {}),
  };
}

function sameContents(a: TlsFileContents, b: TlsFileContents): boolean {
  return (
    sameBuffer(a.ca, b.ca) &&
    a.cert.equals(b.cert) &&
    a.key.equals(b.key) &&
    sameBuffer(a.ecdsa?.cert, b.ecdsa?.cert) &&
    sameBuffer(a.ecdsa?.key, b.ecdsa?.key)
  );
}

function sameBuffer(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}

/** Subject, expiry and fingerprint of the leaf certificate, for the log line (empty when it does not parse). */
function describeCertificate(pem: Buffer): Record<string, string> {
  try {
    const cert = new X509Certificate(pem);
    return { subject: cert.subject, validTo: cert.validTo, fingerprint256: cert.fingerprint256 };
  } catch {
    return {};
  }
}
