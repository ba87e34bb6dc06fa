import { createPublicKey } from 'node:crypto';
import type { StationCertificateType } from './certificate-signer.js';
import { x509 } from './x509.js';

/** What a station's CSR must satisfy besides being well formed and self-signed. */
export interface CsrExpectations {
  /**
   * The identity the station connected with: the CSR's CN must equal it (A00.FR.511, A00.FR.405) for its
   * charging station certificate.
   */
  readonly stationId: string;
  /**
   * The certificate asked for. A `V2GCertificate` (the SECC certificate of ISO 15118) has the SECC's id as CN
   * (A02 "SignV2GCertificate": "a csr in which the CommonName (CN) is set to the value of SeccId") and an EC P-256
   * key (ISO 15118-2 uses secp256r1 only). Default `ChargingStationCertificate`.
   */
  readonly certificateType?: StationCertificateType;
  /**
   * The CSO's organization name: when set, the CSR's O must equal it (A00.FR.509, A00.FR.404; the station takes it
   * from SecurityCtrlr.OrganizationName / 1.6 CpoName). Unset: any non-empty O.
   */
  readonly organization?: string | undefined;
}

/**
 * Why a CSR is refused: the `reasonCode` of the 2.0.1 SignCertificateResponse's statusInfo (at most 20 characters,
 * StatusInfoType) and a sentence for `additionalInfo` and the logs.
 */
export interface CsrRefusal {
  readonly ok: false;
  readonly reasonCode:
    'InvalidCSR' | 'InvalidSignature' | 'InvalidCommonName' | 'InvalidOrganization' | 'InvalidKey';
  readonly reason: string;
}

/** An accepted CSR: its subject and public key, as the CA will certify them. */
export interface CheckedCsr {
  readonly ok: true;
  readonly subject: string;
  /** `rsa` with its modulus length, or `ec` with its curve. */
  readonly key:
    { readonly type: 'rsa'; readonly bits: number } | { readonly type: 'ec'; readonly curve: string };
}

/** The curves of at least 224 bits (A00.FR.503) that Node's TLS and the OCPP suites use. */
const CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/**
 * Checks a station's PEM CSR (RFC 2986, A02.FR.03): parseable, its self-signature valid (proof that the station holds
 * the private key), CN the station's identity, O the CSO's organization, and a key the spec allows (RSA >= 2048
 * bits, A00.FR.502; EC >= 224 bits on a named curve, A00.FR.503). Pure apart from the signature check; never throws.
 */
export async function checkCsr(csrPem: string, expected: CsrExpectations): Promise<CheckedCsr | CsrRefusal> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem.trim());
  } catch {
    return refuse('InvalidCSR', 'the CSR is not a PEM-encoded PKCS #10 certificate request');
  }
  let signed: boolean;
  try {
    signed = await csr.verify();
  } catch {
    signed = false;
  }
  if (!signed) return refuse('InvalidSignature', "the CSR's signature does not match its public key");

  const names = (field: string): string[] => {
    try {
      return csr.subjectName.getField(field);
    } catch {
      return [];
    }
  };
  const cn = names('CN');
  const v2g = expected.certificateType === 'V2GCertificate';
  if (v2g ? cn.length !== 1 || cn[0] === '' : cn.length !== 1 || cn[0] !== expected.stationId)
    return refuse(
      'InvalidCommonName',
      v2g
        ? `the CSR's CN (${cn.join(', ') || 'none'}) must be the SECC id (ISO15118Ctrlr.SeccId)`
        : `the CSR's CN (${cn.join(', ') || 'none'}) must be the station identity ${expected.stationId}`,
    );
  const o = names('O');
  if (
    o.length !== 1 ||
    o[0] === '' ||
    (expected.organization !== undefined && o[0] !== expected.organization)
  )
    return refuse(
      'InvalidOrganization',
      `the CSR's O (${o.join(', ') || 'none'}) must be ${expected.organization ?? 'the CSO organization name'}`,
    );

  let details: { type?: string | undefined; bits?: number | undefined; curve?: string | undefined };
  try {
    const key = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
    details = {
      type: key.asymmetricKeyType,
      bits: key.asymmetricKeyDetails?.modulusLength,
      curve: key.asymmetricKeyDetails?.namedCurve,
    };
  } catch {
    return refuse('InvalidKey', "the CSR's public key cannot be read");
  }
  if (v2g && (details.type !== 'ec' || details.curve !== 'prime256v1'))
    return refuse(
      'InvalidKey',
      `a ${details.curve ?? details.type ?? 'unknown'} key (ISO 15118-2: EC prime256v1)`,
    );
  if (details.type === 'rsa' && details.bits !== undefined) {
    if (details.bits < 2048)
      return refuse('InvalidKey', `an RSA key of ${details.bits} bits (at least 2048)`);
    return { ok: true, subject: csr.subject, key: { type: 'rsa', bits: details.bits } };
  }
  if (details.type === 'ec' && details.curve !== undefined) {
    if (!CURVES.has(details.curve))
      return refuse('InvalidKey', `EC curve ${details.curve} (allowed: ${[...CURVES].join(', ')})`);
    return { ok: true, subject: csr.subject, key: { type: 'ec', curve: details.curve } };
  }
  return refuse('InvalidKey', `a ${details.type ?? 'unknown'} key (RSA or EC required)`);
}

function refuse(reasonCode: CsrRefusal['reasonCode'], reason: string): CsrRefusal {
  return { ok: false, reasonCode, reason };
}
