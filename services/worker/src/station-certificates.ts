import { recordCertificateAnswer, recordIssuedCertificate } from '@csms/db';
import type { V16, V201 } from '@csms/ocpp';
import { checkCsr, leafCertificateFacts } from '@csms/station-ca';
import type { CommandContext, HandlerContext } from './handler.js';

/** A SignCertificate answer of either version (1.6 has no statusInfo). */
type SignCertificateResponse = V16.SignCertificateResponse | V201.SignCertificateResponse;

/**
 * SignCertificate, the same exchange in OCPP 2.0.1 (A02 / A03) and the 1.6 Security Whitepaper (A02 / A03,
 * "Update Charge Point certificate"): the station sends a CSR for a new key pair, the CSMS checks it, has it
 * signed and sends the chain in CertificateSigned.
 *
 * The CSR is checked and signed before the answer, so that Accepted means "the certificate exists" (A02.FR.11:
 * Accepted when the CSMS is able to process the request; A02.FR.12: Rejected when not). The issued certificate is
 * stored and its CertificateSigned queued durably in this CALL's transaction: once Accepted leaves, the chain
 * reaches the station even if this worker stops (invariant 1). A refused CSR stores nothing; it is logged and
 * published as a `certificate-refused` event, and 2.0.1 stations get the reason in `statusInfo`.
 */
export async function onSignCertificate(
  ctx: HandlerContext,
  request: V16.SignCertificateRequest | V201.SignCertificateRequest,
): Promise<SignCertificateResponse> {
  // 1.6 stations sign only their charge point certificate (A02.FR.13: a 2.0.1 station names the type).
  const type: string =
    'certificateType' in request && request.certificateType
      ? request.certificateType
      : 'ChargingStationCertificate';
  const refuse = (reasonCode: string, reason: string): SignCertificateResponse => {
    ctx.log.warn({ certificateType: type, reasonCode, reason }, 'SignCertificate refused');
    ctx.emit('certificate-refused', { certificateType: type, reasonCode, reason });
    return ctx.version === 'ocpp1.6'
      ? { status: 'Rejected' }
      : { status: 'Rejected', statusInfo: { reasonCode, additionalInfo: reason.slice(0, 512) } };
  };
  if (type !== 'ChargingStationCertificate' && type !== 'V2GCertificate')
    return refuse('UnsupportedCertType', `${type} is not a certificate type this CSMS signs`);
  const signer = ctx.certificateSigners[type];
  if (signer === undefined)
    return refuse(
      'NoCertAuthority',
      type === 'V2GCertificate'
        ? 'no V2G certificate authority is configured (CSMS_V2G_CA_*)'
        : 'no certificate authority is configured (CSMS_STATION_CA_*)',
    );
  // A V2G (SECC) certificate carries the SeccId as CN and is for the ISO 15118 PKI: its O is the CPO's name of
  // that PKI (ISO15118Ctrlr.OrganizationName), not checked against the station certificates' organization.
  const checked = await checkCsr(request.csr, {
    stationId: ctx.stationId,
    certificateType: type,
    organization: type === 'V2GCertificate' ? undefined : ctx.config.stationCertificateOrganization,
  });
  if (!checked.ok) return refuse(checked.reasonCode, checked.reason);

  let chain: string;
  try {
    chain = await signer.sign({
      csrPem: request.csr,
      stationId: ctx.stationId,
      certificateType: type,
    });
  } catch (error) {
    ctx.log.error({ err: error, signer: signer.name }, 'certificate signer failed');
    return refuse('SigningFailed', `the certificate authority did not sign the CSR (${signer.name})`);
  }
  const facts = leafCertificateFacts(chain);
  const issued = await recordIssuedCertificate(ctx.db, {
    stationId: ctx.stationId,
    certificateType: type,
    serialNumber: facts.serialNumber,
    subject: facts.subject,
    issuer: facts.issuer,
    notBefore: facts.notBefore,
    notAfter: facts.notAfter,
    fingerprint: facts.fingerprint,
    certificateChain: chain,
    signer: signer.name,
  });
  // A02.FR.14: the CertificateSigned names the type the station asked for (2.0.1 only).
  await ctx.queueCommand({
    action: 'CertificateSigned',
    payload:
      ctx.version === 'ocpp1.6'
        ? { certificateChain: chain }
        : { certificateChain: chain, certificateType: type },
  });
  ctx.emit('certificate-issued', {
    certificateType: type,
    serialNumber: issued.serial_number,
    notAfter: facts.notAfter.toISOString(),
  });
  ctx.log.info({ certificateType: type, serialNumber: issued.serial_number }, 'station certificate issued');
  return { status: 'Accepted' };
}

/**
 * After CertificateSigned was answered: the certificate the CSMS issued is `installed` (Accepted) or `rejected`
 * (A02.FR.07: the station found it invalid and discarded it). A chain the CSMS did not issue (an operator's own
 * CertificateSigned) changes nothing.
 */
export async function afterCertificateSigned(
  ctx: CommandContext,
  request: V16.CertificateSignedRequest | V201.CertificateSignedRequest,
  response: V16.CertificateSignedResponse | V201.CertificateSignedResponse,
): Promise<void> {
  let fingerprint: string;
  try {
    fingerprint = leafCertificateFacts(request.certificateChain).fingerprint;
  } catch {
    return;
  }
  const accepted = response.status === 'Accepted';
  const row = await recordCertificateAnswer(ctx.db, ctx.stationId, fingerprint, accepted);
  if (row === undefined) return;
  ctx.emit(accepted ? 'certificate-installed' : 'certificate-rejected', {
    certificateType: row.certificate_type,
    serialNumber: row.serial_number,
  });
  if (accepted) ctx.log.info({ serialNumber: row.serial_number }, 'station installed its new certificate');
  else ctx.log.warn({ serialNumber: row.serial_number }, 'station rejected the certificate it was sent');
}
