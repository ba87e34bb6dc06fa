import {
  X509Certificate,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  webcrypto,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { CertificateSigner, SigningRequest } from './certificate-signer.js';
import { x509 } from './x509.js';

/** Settings of the built-in CA. */
export interface FileCertificateAuthorityOptions {
  /** Validity of an issued certificate, in days (capped at the CA certificate's own end). */
  readonly validityDays: number;
  /** Current time (injectable for tests). */
  readonly now?: () => Date;
}

/** A WebCrypto signing algorithm: ECDSA with its curve, or RSASSA-PKCS1-v1_5; both with a hash. */
interface SigningAlgorithm {
  readonly name: 'ECDSA' | 'RSASSA-PKCS1-v1_5';
  readonly hash: 'SHA-256' | 'SHA-384';
  readonly namedCurve?: 'P-256' | 'P-384' | 'P-521';
}

/** Issued certificates start a little in the past, so that a station whose clock lags can use them at once. */
const BACKDATE_MS = 5 * 60 * 1000;

/**
 * The built-in certificate authority: signs station CSRs with a CA key and certificate the operator provides as PEM
 * files (a Kubernetes secret in the Helm chart; `openssl` commands in docs/operations.md). The CA certificate file
 * may hold the issuing CA first and then its own chain (sub-CA, root): all of it follows the new certificate in the
 * chain sent to the station.
 *
 * Issued certificates carry the CSR's subject and key, a random 128-bit serial (A00.FR.508), Basic Constraints
 * CA:FALSE, Key Usage digitalSignature plus keyAgreement (EC) or keyEncipherment (RSA) (A00.FR.512), subject and
 * authority key identifiers, and no Extended Key Usage (A00.FR.514). ECDSA CA keys sign with SHA-256 (P-256) or
 * SHA-384 (P-384/P-521), RSA ones with RSASSA-PKCS1-v1_5 SHA-256 (A00.FR.505 prefers RSA-PSS; PKCS #1 v1.5 is what
 * every station TLS stack verifies; use an ECDSA CA to follow the recommendation).
 */
export class FileCertificateAuthority implements CertificateSigner {
  readonly name = 'built-in';
  readonly #ca: x509.X509Certificate;
  readonly #chainPem: string;
  readonly #key: webcrypto.CryptoKey;
  readonly #algorithm: SigningAlgorithm;
  readonly #options: FileCertificateAuthorityOptions;

  private constructor(
    ca: x509.X509Certificate,
    chainPem: string,
    key: webcrypto.CryptoKey,
    algorithm: SigningAlgorithm,
    options: FileCertificateAuthorityOptions,
  ) {
    this.#ca = ca;
    this.#chainPem = chainPem;
    this.#key = key;
    this.#algorithm = algorithm;
    this.#options = options;
  }

  /** Reads the CA's certificate (chain) and key files; throws with the file's name when they do not fit. */
  static async fromFiles(
    certFile: string,
    keyFile: string,
    options: FileCertificateAuthorityOptions,
  ): Promise<FileCertificateAuthority> {
    const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    try {
      return await FileCertificateAuthority.fromPem(certPem, keyPem, options);
    } catch (error) {
      throw new Error(`station CA (${certFile}, ${keyFile}): ${(error as Error).message}`, { cause: error });
    }
  }

  /** The CA from PEM texts (see {@link fromFiles}). */
  static async fromPem(
    certPem: string,
    keyPem: string,
    options: FileCertificateAuthorityOptions,
  ): Promise<FileCertificateAuthority> {
    if (!(options.validityDays >= 1)) throw new Error('validityDays must be at least 1');
    const pems = certPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (pems.length === 0) throw new Error('no PEM certificate in the CA certificate file');
    const issuer = new X509Certificate(pems[0]!);
    if (!issuer.ca)
      throw new Error('the first certificate is not a CA certificate (basicConstraints CA:TRUE)');
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(keyPem);
    } catch (error) {
      throw new Error(`the CA key cannot be read: ${(error as Error).message}`, { cause: error });
    }
    if (!issuer.checkPrivateKey(privateKey))
      throw new Error('the CA key does not belong to the CA certificate');
    const algorithm = signingAlgorithm(privateKey);
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    const importAlgorithm =
      algorithm.namedCurve !== undefined ? { name: 'ECDSA', namedCurve: algorithm.namedCurve } : algorithm;
    const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, importAlgorithm, false, ['sign']);
    return new FileCertificateAuthority(
      new x509.X509Certificate(pems[0]!),
      pems.join('\n'),
      key,
      algorithm,
      options,
    );
  }

  /** The issuing CA's certificate (PEM): what the edge must trust for profile-3 connections. */
  get certificatePem(): string {
    return this.#ca.toString('pem');
  }

  async sign(request: SigningRequest): Promise<string> {
    const csr = new x509.Pkcs10CertificateRequest(request.csrPem.trim());
    const now = (this.#options.now ?? (() => new Date()))();
    const notBefore = new Date(now.getTime() - BACKDATE_MS);
    const wanted = new Date(now.getTime() + this.#options.validityDays * 86_400_000);
    const notAfter = wanted > this.#ca.notAfter ? this.#ca.notAfter : wanted;
    if (notAfter <= now) throw new Error('the station CA certificate has expired');
    const ec =
      createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' })
        .asymmetricKeyType === 'ec';
    const serial = randomBytes(16);
    serial[0] = serial[0]! & 0x7f; // a positive INTEGER (RFC 5280 §4.1.2.2)
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: serial.toString('hex'),
      subject: csr.subject,
      issuer: this.#ca.subject,
      notBefore,
      notAfter,
      publicKey: csr.publicKey,
      signingKey: this.#key,
      signingAlgorithm: this.#algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature |
            (ec ? x509.KeyUsageFlags.keyAgreement : x509.KeyUsageFlags.keyEncipherment),
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.#ca),
      ],
    });
    return `${certificate.toString('pem')}\n${this.#chainPem}`;
  }
}

/** The WebCrypto signing algorithm of a CA key. */
function signingAlgorithm(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const named =
      curve === 'prime256v1'
        ? 'P-256'
        : curve === 'secp384r1'
          ? 'P-384'
          : curve === 'secp521r1'
            ? 'P-521'
            : undefined;
    if (named === undefined) throw new Error(`unsupported CA key curve ${curve ?? 'unknown'}`);
    return { name: 'ECDSA', namedCurve: named, hash: named === 'P-256' ? 'SHA-256' : 'SHA-384' };
  }
  throw new Error(`unsupported CA key type ${key.asymmetricKeyType ?? 'unknown'} (RSA or EC)`);
}
