import { OcspError, type OcspCertId } from '@csms/station-ca';
import type { V201 } from '@csms/ocpp';
import type { HandlerContext } from '../handler.js';

/** The schema's bound on ocspResult (base64 of the DER OCSPResponse). */
const MAX_OCSP_RESULT = 5500;

/**
 * GetCertificateStatus (M06): the CSMS asks the OCSP responder named in the request about the station's (V2G)
 * certificate and passes its DER OCSPResponse on, base64 (M06.FR.02/03/08/09), whatever status it tells: the
 * station reads the status from the response it staples. No answer, a refused or invalid one: Failed with the
 * reason (M06.FR.04). Answers are cached until their nextUpdate (the station refreshes weekly, M06.FR.10).
 */
export async function onGetCertificateStatus(
  ctx: HandlerContext,
  request: V201.GetCertificateStatusRequest,
): Promise<V201.GetCertificateStatusResponse> {
  if (ctx.ocsp === undefined) return failed('NoOcspClient', 'this CSMS does not make OCSP requests');
  const data = request.ocspRequestData;
  const certId: OcspCertId = {
    hashAlgorithm: data.hashAlgorithm,
    issuerNameHash: data.issuerNameHash,
    issuerKeyHash: data.issuerKeyHash,
    serialNumber: data.serialNumber,
    responderUrl: data.responderURL,
  };
  try {
    const answer = await ctx.ocsp.check(certId);
    const ocspResult = Buffer.from(answer.response).toString('base64');
    if (ocspResult.length > MAX_OCSP_RESULT)
      return failed('ResponseTooLarge', `the OCSP response is ${ocspResult.length} base64 characters`);
    ctx.log.debug(
      { serialNumber: certId.serialNumber, status: answer.status, cached: answer.cached },
      'certificate status answered',
    );
    return { status: 'Accepted', ocspResult };
  } catch (error) {
    if (!(error instanceof OcspError)) throw error;
    ctx.log.warn(
      { serialNumber: certId.serialNumber, responder: certId.responderUrl, reason: error.reason, err: error },
      'OCSP request for a station certificate failed',
    );
    return failed(reasonCodeOf(error), error.message);
  }
}

function failed(reasonCode: string, additionalInfo: string): V201.GetCertificateStatusResponse {
  return { status: 'Failed', statusInfo: { reasonCode, additionalInfo: additionalInfo.slice(0, 512) } };
}

/** A StatusInfo reasonCode (at most 20 characters) for an OCSP failure. */
function reasonCodeOf(error: OcspError): string {
  switch (error.reason) {
    case 'timeout':
      return 'OcspTimeout';
    case 'unreachable':
    case 'http-status':
      return 'OcspUnreachable';
    case 'refused-url':
    case 'bad-request':
      return 'InvalidRequest';
    case 'too-large':
    case 'unsuccessful':
    case 'bad-response':
      return 'InvalidOcspResponse';
  }
}
