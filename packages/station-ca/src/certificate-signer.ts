/**
 * What signs a station's certificate signing request: the built-in {@link FileCertificateAuthority}, an external
 * CA reached by a command ({@link CommandCertificateSigner}), or any other implementation an operator plugs in
 * (2.0.1 A02.FR.04 / A03.FR.04: the CSMS SHOULD forward the CSR to a dedicated certificate authority server).
 */
export interface CertificateSigner {
  /** A short name for logs and the stored certificate ("built-in", "command"). */
  readonly name: string;
  /**
   * Signs a CSR that {@link checkCsr} accepted. Resolves with the PEM chain to send in CertificateSigned: the new
   * certificate first, then the issuing CA certificates (A02: "certificateChain"). Rejects when the CA refuses or
   * cannot be reached; the CSMS then answers the station's SignCertificate with Rejected (A02.FR.12).
   */
  sign(request: SigningRequest): Promise<string>;
}

/** One certificate to sign. */
export interface SigningRequest {
  /** The PEM CSR (RFC 2986), as the station sent it. */
  readonly csrPem: string;
  /** The station that asked (its CSR's CN was checked against it). */
  readonly stationId: string;
  /** The OCPP certificate type; 1.6 stations send none: `ChargingStationCertificate`. */
  readonly certificateType: StationCertificateType;
}

/** The certificate types a station asks to be signed (2.0.1 CertificateSigningUseEnumType). */
export type StationCertificateType = 'ChargingStationCertificate' | 'V2GCertificate';

/** The signer of each certificate type; a type without one is refused. */
export type CertificateSigners = Readonly<Partial<Record<StationCertificateType, CertificateSigner>>>;
