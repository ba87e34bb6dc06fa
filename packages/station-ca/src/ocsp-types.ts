/**
 * One certificate to ask an OCSP responder about: OCPP 2.0.1's `OCSPRequestDataType` (also the
 * `iso15118CertificateHashData` of Authorize), hashes and serial as lower-case hex.
 */
export interface OcspCertId {
  readonly hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512';
  /** Hash of the issuer's distinguished name (DER). */
  readonly issuerNameHash: string;
  /** Hash of the issuer's public key (the subjectPublicKey bits). */
  readonly issuerKeyHash: string;
  /** The certificate's serial number, without leading zero bytes. */
  readonly serialNumber: string;
  /** The responder to ask (http or https). */
  readonly responderUrl: string;
}

/** RFC 6960 §2.2 certificate status. */
export type OcspCertStatus = 'good' | 'revoked' | 'unknown';

/** Why no status could be had: the caller answers the station accordingly (M06.FR.04, C07.FR.17). */
export type OcspFailure =
  | 'bad-request'
  | 'refused-url'
  | 'unreachable'
  | 'timeout'
  | 'http-status'
  | 'too-large'
  | 'unsuccessful'
  | 'bad-response';

export class OcspError extends Error {
  constructor(
    readonly reason: OcspFailure,
    message: string,
  ) {
    super(message);
    this.name = 'OcspError';
  }
}

/** A responder's answer about one certificate. */
export interface OcspAnswer {
  readonly status: OcspCertStatus;
  /** The responder's DER OCSPResponse as received (GetCertificateStatus passes it on, M06.FR.03/08/09). */
  readonly response: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly revokedAt: Date | undefined;
  /** Whether this answer came from the cache. */
  readonly cached: boolean;
}
