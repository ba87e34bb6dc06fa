import { X509Certificate } from 'node:crypto';

/** What the CSMS stores about a certificate it issued (table `station_certificates`). */
export interface CertificateFacts {
  /** Upper-case hex, as OpenSSL prints it. */
  readonly serialNumber: string;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 of the DER certificate, lower-case hex without separators. */
  readonly fingerprint: string;
  /** The certificate alone (PEM). */
  readonly pem: string;
}

/** The certificates of a PEM chain, in order. */
export function pemCertificates(chainPem: string): string[] {
  return chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** The facts of the first certificate of a PEM chain (the station's own); throws when there is none. */
export function leafCertificateFacts(chainPem: string): CertificateFacts {
  const [first] = pemCertificates(chainPem);
  if (first === undefined) throw new Error('no PEM certificate in the chain');
  return certificateFacts(new X509Certificate(first));
}

/** The facts of a parsed certificate (e.g. a TLS client certificate). */
export function certificateFacts(certificate: X509Certificate): CertificateFacts {
  return {
    serialNumber: certificate.serialNumber.toUpperCase(),
    subject: certificate.subject.replace(/\n/g, ', '),
    issuer: certificate.issuer.replace(/\n/g, ', '),
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
    fingerprint: certificate.fingerprint256.replace(/:/g, '').toLowerCase(),
    pem: certificate.toString(),
  };
}
