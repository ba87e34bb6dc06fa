import { createHash, verify, X509Certificate } from 'node:crypto';
import {
  BasicOCSPResponse,
  OCSPResponse,
  OCSPResponseStatus,
  id_kp_OCSPSigning,
  id_pkix_ocsp_basic,
  type SingleResponse,
} from '@peculiar/asn1-ocsp';
import { AsnConvert } from '@peculiar/asn1-schema';
import type { Certificate } from '@peculiar/asn1-x509';
import { ExtendedKeyUsage, id_ce_extKeyUsage } from '@peculiar/asn1-x509';
import { OcspError, type OcspCertId, type OcspCertStatus } from './ocsp-types.js';

/** Signature algorithms of responses this client checks (RFC 6960 §4.3: RSA and ECDSA with SHA-2; SHA-1 RSA). */
const SIGNATURE_HASH: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** How far a responder's clock may be ahead of ours (thisUpdate in the future) before the answer is refused. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** What a checked OCSP response says about one certificate. */
export interface CheckedOcspResponse {
  readonly status: OcspCertStatus;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly revokedAt: Date | undefined;
}

/**
 * Checks a DER OCSPResponse (RFC 6960 §4.2) for `certId`: successful, basic, signed by a responder the
 * certificate's issuer authorised (RFC 6960 §4.2.2.2: the issuer itself, its key matching the certificate id's
 * issuerKeyHash, or a certificate with the OCSP-signing purpose issued under the issuer's name), with a single
 * response for that certificate that is current. Throws {@link OcspError} `bad-response` otherwise.
 *
 * A delegated responder's own certificate is matched to the issuer by name only: the request data of OCPP
 * (`OCSPRequestDataType`) carries hashes, not the issuer's certificate, so its signature cannot be checked here.
 */
export function checkOcspResponse(der: Uint8Array, certId: OcspCertId, now: Date): CheckedOcspResponse {
  const basic = basicResponseOf(der);
  const signer = signerOf(basic, certId);
  const hash = SIGNATURE_HASH[basic.signatureAlgorithm.algorithm];
  if (hash === undefined)
    throw new OcspError(
      'bad-response',
      `unsupported signature algorithm ${basic.signatureAlgorithm.algorithm}`,
    );
  const signed = Buffer.from(basic.tbsResponseDataRaw ?? AsnConvert.serialize(basic.tbsResponseData));
  if (!verify(hash, signed, signer.publicKey, Buffer.from(basic.signature)))
    throw new OcspError('bad-response', 'the response signature does not verify');
  const single = basic.tbsResponseData.responses.find((r) => matches(r, certId));
  if (single === undefined)
    throw new OcspError('bad-response', 'the response has no status for the certificate asked about');
  if (single.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS)
    throw new OcspError(
      'bad-response',
      `the response is from the future (thisUpdate ${single.thisUpdate.toISOString()})`,
    );
  if (single.nextUpdate !== undefined && single.nextUpdate.getTime() < now.getTime())
    throw new OcspError(
      'bad-response',
      `the response is outdated (nextUpdate ${single.nextUpdate.toISOString()})`,
    );
  const { certStatus } = single;
  const status: OcspCertStatus =
    certStatus.revoked !== undefined ? 'revoked' : certStatus.good !== undefined ? 'good' : 'unknown';
  return {
    status,
    thisUpdate: single.thisUpdate,
    nextUpdate: single.nextUpdate,
    revokedAt: certStatus.revoked?.revocationTime,
  };
}

function basicResponseOf(der: Uint8Array): BasicOCSPResponse {
  let response: OCSPResponse;
  try {
    response = AsnConvert.parse(der, OCSPResponse);
  } catch (error) {
    throw new OcspError('bad-response', `not a DER OCSPResponse: ${(error as Error).message}`);
  }
  if (response.responseStatus !== OCSPResponseStatus.successful)
    throw new OcspError(
      'unsuccessful',
      `the responder answered ${OCSPResponseStatus[response.responseStatus] ?? response.responseStatus}`,
    );
  const bytes = response.responseBytes;
  if (bytes === undefined || bytes.responseType !== id_pkix_ocsp_basic)
    throw new OcspError('bad-response', 'the response is not a basic OCSP response');
  try {
    return AsnConvert.parse(bytes.response.buffer, BasicOCSPResponse);
  } catch (error) {
    throw new OcspError('bad-response', `not a DER BasicOCSPResponse: ${(error as Error).message}`);
  }
}

/** The responder certificate that signed the response and is authorised for the certificate's issuer. */
function signerOf(basic: BasicOCSPResponse, certId: OcspCertId): X509Certificate {
  for (const cert of basic.certs ?? []) {
    const der = Buffer.from(AsnConvert.serialize(cert));
    const spki = cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey;
    const keyHash = digest(certId.hashAlgorithm, Buffer.from(spki));
    // The issuer signs its own answers, or delegates to a certificate it issued for OCSP signing.
    const isIssuer = keyHash === certId.issuerKeyHash;
    const issuerName = digest(
      certId.hashAlgorithm,
      Buffer.from(AsnConvert.serialize(cert.tbsCertificate.issuer)),
    );
    if (isIssuer || (issuerName === certId.issuerNameHash && hasOcspSigning(cert)))
      return new X509Certificate(der);
  }
  throw new OcspError(
    'bad-response',
    'the response is not signed by the certificate’s issuer nor by a responder it authorised',
  );
}

function hasOcspSigning(cert: Certificate): boolean {
  const extension = cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_extKeyUsage);
  if (extension === undefined) return false;
  return AsnConvert.parse(extension.extnValue, ExtendedKeyUsage).includes(id_kp_OCSPSigning);
}

function matches(single: SingleResponse, certId: OcspCertId): boolean {
  const id = single.certID;
  return (
    hex(id.issuerNameHash.buffer) === certId.issuerNameHash &&
    hex(id.issuerKeyHash.buffer) === certId.issuerKeyHash &&
    serialHex(id.serialNumber) === certId.serialNumber
  );
}

/** Lower-case hex of `data` hashed with an OCPP hash algorithm. */
export function digest(algorithm: OcspCertId['hashAlgorithm'], data: Uint8Array): string {
  return createHash(algorithm.toLowerCase()).update(data).digest('hex');
}

export function hex(data: ArrayBuffer | Uint8Array): string {
  return Buffer.from(data instanceof Uint8Array ? data : new Uint8Array(data)).toString('hex');
}

/** A DER INTEGER's bytes as hex without leading zero bytes (how OCPP's serialNumber is written). */
export function serialHex(data: ArrayBuffer): string {
  return hex(data).replace(/^(00)+(?=.)/, '');
}
