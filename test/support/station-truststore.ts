/**
 * The certificate store of a simulated station (OCPP 2.0.1 M03 / M04 / M05, 1.6 Security Whitepaper §1.14 /
 * §1.22 / §1.30): it installs the PEM certificates the CSMS sends, reports them as CertificateHashData computed
 * like an OCSP CertID (RFC 6960: hashes of the issuer's DER name and of its public key, the serial number in
 * hexadecimal without leading zeroes), and deletes the certificate the CSMS names by that hash data.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { V16, V201 } from '@csms/ocpp';
import type { Station16, Station201 } from './scenario.js';

export type HashAlgorithm = V201.HashAlgorithmEnumType;
export type CertificateHashData = V201.CertificateHashDataType;

/** One DER element: where its content starts and where it ends. */
interface Der {
  readonly tag: number;
  readonly start: number;
  readonly content: number;
  readonly end: number;
}

function element(der: Buffer, at: number): Der {
  const tag = der[at]!;
  let length = der[at + 1]!;
  let content = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[content + i]!;
    content += bytes;
  }
  return { tag, start: at, content, end: content + length };
}

function children(der: Buffer, parent: Der): Der[] {
  const out: Der[] = [];
  for (let at = parent.content; at < parent.end;) {
    const child = element(der, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The fields of a certificate's TBSCertificate (RFC 5280 §4.1) the hash data needs. */
function tbsFields(certificate: X509Certificate) {
  const der = certificate.raw;
  const tbs = children(der, element(der, 0))[0]!;
  const fields = children(der, tbs);
  // [0] EXPLICIT version is optional (absent for v1 certificates).
  const [, , issuer, , subject, spki] = fields[0]!.tag === 0xa0 ? fields.slice(1) : fields;
  const publicKeyBits = children(der, spki!)[1]!;
  return {
    der,
    issuer: der.subarray(issuer!.start, issuer!.end),
    subject: der.subarray(subject!.start, subject!.end),
    // The BIT STRING's value without its leading "unused bits" octet, as OpenSSL's OCSP_cert_id_new hashes it.
    publicKey: der.subarray(publicKeyBits.content + 1, publicKeyBits.end),
  };
}

const digest = (algorithm: HashAlgorithm, data: Buffer): string =>
  createHash(algorithm.toLowerCase()).update(data).digest('hex');

/**
 * The CertificateHashData of `pem`, whose issuer is `issuerPem` (itself for a root certificate), with
 * `hashAlgorithm`.
 */
export function certificateHashData(
  pem: string,
  hashAlgorithm: HashAlgorithm,
  issuerPem: string = pem,
): CertificateHashData {
  const certificate = new X509Certificate(pem);
  const issuer = tbsFields(new X509Certificate(issuerPem));
  return {
    hashAlgorithm,
    issuerNameHash: digest(hashAlgorithm, tbsFields(certificate).issuer),
    issuerKeyHash: digest(hashAlgorithm, issuer.publicKey),
    serialNumber: certificate.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
  };
}

/** An installed certificate: its type and PEM, the PEM of its issuer and, for a V2G chain, its sub-CAs. */
export interface InstalledCertificate {
  readonly certificateType: string;
  readonly pem: string;
  readonly issuerPem?: string;
  /** Sub-CA certificates of a V2GCertificateChain, each with its issuer. */
  readonly children?: ReadonlyArray<{ readonly pem: string; readonly issuerPem?: string }>;
}

const sameHashData = (a: CertificateHashData, b: CertificateHashData): boolean =>
  a.hashAlgorithm === b.hashAlgorithm &&
  a.issuerNameHash === b.issuerNameHash &&
  a.issuerKeyHash === b.issuerKeyHash &&
  a.serialNumber === b.serialNumber;

/** A station's installed certificates; reports them with the hash algorithm in {@link hashAlgorithm}. */
export class Truststore {
  readonly certificates: InstalledCertificate[] = [];
  hashAlgorithm: HashAlgorithm = 'SHA256';

  constructor(initial: readonly InstalledCertificate[] = []) {
    this.certificates.push(...initial);
  }

  /** Installs a certificate (replacing the same one, M05.FR.17); false when the PEM is not a certificate. */
  install(certificateType: string, pem: string): boolean {
    try {
      new X509Certificate(pem);
    } catch {
      return false;
    }
    this.#removeWhere((c) => c.certificateType === certificateType && c.pem === pem);
    this.certificates.push({ certificateType, pem });
    return true;
  }

  hashDataOf(certificate: InstalledCertificate): CertificateHashData {
    return certificateHashData(certificate.pem, this.hashAlgorithm, certificate.issuerPem);
  }

  /** The installed certificates of the given types (all when none is given). */
  find(types?: readonly string[]): InstalledCertificate[] {
    return this.certificates.filter((c) => types === undefined || types.includes(c.certificateType));
  }

  /** Deletes the certificate with this hash data (computed with the data's own algorithm); false if none. */
  delete(hashData: CertificateHashData): boolean {
    return this.#removeWhere((c) =>
      sameHashData(certificateHashData(c.pem, hashData.hashAlgorithm, c.issuerPem), hashData),
    );
  }

  #removeWhere(match: (c: InstalledCertificate) => boolean): boolean {
    const index = this.certificates.findIndex(match);
    if (index < 0) return false;
    this.certificates.splice(index, 1);
    return true;
  }

  /** Answers InstallCertificate, GetInstalledCertificateIds and DeleteCertificate of a 2.0.1 station. */
  serve201(cs: Station201): this {
    cs.respond('InstallCertificate', ({ certificateType, certificate }) => ({
      status: this.install(certificateType, certificate) ? 'Accepted' : 'Rejected',
    }));
    cs.respond(
      'GetInstalledCertificateIds',
      ({ certificateType }): V201.GetInstalledCertificateIdsResponse => {
        const found = this.find(certificateType);
        if (found.length === 0) return { status: 'NotFound' };
        return {
          status: 'Accepted',
          certificateHashDataChain: found.map((c) => ({
            certificateType: c.certificateType as V201.GetCertificateIdUseEnumType,
            certificateHashData: this.hashDataOf(c),
            ...(c.children
              ? {
                  childCertificateHashData: c.children.map((child) =>
                    certificateHashData(child.pem, this.hashAlgorithm, child.issuerPem),
                  ),
                }
              : {}),
          })),
        };
      },
    );
    cs.respond('DeleteCertificate', ({ certificateHashData: hashData }) => ({
      status: this.delete(hashData) ? 'Accepted' : 'NotFound',
    }));
    return this;
  }

  /** Answers InstallCertificate, GetInstalledCertificateIds and DeleteCertificate of a 1.6 charge point. */
  serve16(cp: Station16): this {
    cp.respond('InstallCertificate', ({ certificateType, certificate }) => ({
      status: this.install(certificateType, certificate) ? 'Accepted' : 'Rejected',
    }));
    cp.respond(
      'GetInstalledCertificateIds',
      ({ certificateType }): V16.GetInstalledCertificateIdsResponse => {
        const found = this.find([certificateType]);
        if (found.length === 0) return { status: 'NotFound' };
        return { status: 'Accepted', certificateHashData: found.map((c) => this.hashDataOf(c)) };
      },
    );
    cp.respond('DeleteCertificate', ({ certificateHashData: hashData }) => ({
      status: this.delete(hashData) ? 'Accepted' : 'NotFound',
    }));
    return this;
  }
}
