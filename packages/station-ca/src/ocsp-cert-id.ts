import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  Certificate,
  id_ad_ocsp,
  id_pe_authorityInfoAccess,
} from '@peculiar/asn1-x509';
import { digest, hex, serialHex } from './ocsp-response.js';
import type { OcspCertId } from './ocsp-types.js';

/** A PEM or DER certificate parsed (the first of a PEM bundle). */
function parsed(certificate: string | Uint8Array): Certificate {
  const der =
    typeof certificate === 'string'
      ? Buffer.from(
          certificate
            .replace(/-----BEGIN CERTIFICATE-----/, '')
            .replace(/-----END CERTIFICATE-----[\s\S]*$/, '')
            .replace(/\s+/g, ''),
          'base64',
        )
      : Buffer.from(certificate);
  return AsnConvert.parse(der, Certificate);
}

/** The OCSP responder of a certificate's Authority Information Access extension (RFC 5280 §4.2.2.1), if any. */
export function ocspResponderUrlOf(certificate: string | Uint8Array): string | undefined {
  const extension = parsed(certificate).tbsCertificate.extensions?.find(
    (e) => e.extnID === id_pe_authorityInfoAccess,
  );
  if (extension === undefined) return undefined;
  const access = AsnConvert.parse(extension.extnValue, AuthorityInfoAccessSyntax);
  return access.find((a) => a.accessMethod === id_ad_ocsp)?.accessLocation.uniformResourceIdentifier;
}

/**
 * The OCSP certificate id of `certificate` issued by `issuer` (RFC 6960 §4.1.1, OCPP `OCSPRequestDataType`):
 * hashes of the issuer's name and public key, and the serial; the responder from `certificate`'s AIA unless given.
 */
export function ocspCertIdOf(
  certificate: string | Uint8Array,
  issuer: string | Uint8Array,
  hashAlgorithm: OcspCertId['hashAlgorithm'] = 'SHA256',
  responderUrl?: string,
): OcspCertId {
  const cert = parsed(certificate);
  const issuerCert = parsed(issuer);
  const issuerName = new Uint8Array(AsnConvert.serialize(issuerCert.tbsCertificate.subject));
  const issuerKey = new Uint8Array(issuerCert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);
  return {
    hashAlgorithm,
    issuerNameHash: digest(hashAlgorithm, issuerName),
    issuerKeyHash: digest(hashAlgorithm, issuerKey),
    serialNumber: serialHex(cert.tbsCertificate.serialNumber),
    responderUrl: responderUrl ?? ocspResponderUrlOf(certificate) ?? '',
  };
}

/** Whether `issuer`'s subject is `certificate`'s issuer (names compared as DER). */
export function isIssuedBy(certificate: string | Uint8Array, issuer: string | Uint8Array): boolean {
  const a = AsnConvert.serialize(parsed(certificate).tbsCertificate.issuer);
  const b = AsnConvert.serialize(parsed(issuer).tbsCertificate.subject);
  return hex(a) === hex(b);
}
