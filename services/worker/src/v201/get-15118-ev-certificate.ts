import type { V201 } from '@csms/ocpp';
import type { ContractCertificateAnswer } from '@csms/station-ca';
import type { HandlerContext } from '../handler.js';

/** The schema's bound on exiResponse (base64 of the EXI CertificateInstallationRes / CertificateUpdateRes). */
const MAX_EXI_RESPONSE = 5600;

/** What the station is told per reasonCode; the detailed reason (program, backend, its message) stays in the log. */
const ADDITIONAL_INFO: Readonly<Record<string, string>> = {
  NotConfigured: 'this CSMS has no contract certificate backend',
  BackendTimeout: 'the contract certificate backend did not answer in time',
  BackendError: 'the contract certificate backend failed',
  BackendRefused: 'the contract certificate backend has no certificate for this request',
  InvalidResponse: 'the contract certificate backend gave an invalid answer',
  ResponseTooLarge: `the exiResponse is longer than ${MAX_EXI_RESPONSE} characters`,
};

/**
 * Get15118EVCertificate (M01 installation, M02 update): the station forwards the EV's ISO 15118
 * CertificateInstallationReq / CertificateUpdateReq; the CSMS passes it to the secondary actor, a contract
 * certificate pool or mobility operator backend (M01.FR.01 / M02.FR.01 notes), through `ctx.contractCertificates`,
 * and answers Accepted with that backend's raw EXI response, unchanged. Without an answer to pass on the status is
 * Failed (the only other one the schema has): the station then tells the EV the installation failed. That includes
 * a CSMS without a backend: it supports the message but cannot serve it, so NotSupported (a CALLERROR) would be
 * wrong, and an EV told "failed" at once does better than one that runs into its 5 s timeout (M01 remarks).
 * No database write: the handler is in the autocommit set and holds no connection while the backend works.
 */
export async function onGet15118EVCertificate(
  ctx: HandlerContext,
  request: V201.Get15118EVCertificateRequest,
): Promise<V201.Get15118EVCertificateResponse> {
  const { action, iso15118SchemaVersion } = request;
  const provider = ctx.contractCertificates;
  if (provider === undefined)
    return failed(ctx, request, {
      code: 'NotConfigured',
      reason:
        'no contract certificate backend (CSMS_CONTRACT_CERT_COMMAND or CSMS_CONTRACT_CERT_URL) is configured',
    });
  let answer: ContractCertificateAnswer;
  try {
    answer = await provider.provide({
      stationId: ctx.stationId,
      iso15118SchemaVersion,
      action,
      exiRequest: request.exiRequest,
    });
  } catch (error) {
    // Providers answer Failed rather than throw; should one throw anyway, the EV still gets a prompt answer.
    answer = { status: 'Failed', code: 'BackendError', reason: (error as Error).message };
  }
  if (answer.status === 'Failed') return failed(ctx, request, answer);
  if (answer.exiResponse.length > MAX_EXI_RESPONSE)
    return failed(ctx, request, {
      code: 'ResponseTooLarge',
      reason: `the ${provider.name} backend answered ${answer.exiResponse.length} base64 characters`,
    });
  ctx.log.info(
    { stationId: ctx.stationId, action, iso15118SchemaVersion, provider: provider.name },
    'contract certificate response passed to the station',
  );
  return { status: 'Accepted', exiResponse: answer.exiResponse };
}

function failed(
  ctx: HandlerContext,
  request: V201.Get15118EVCertificateRequest,
  failure: { readonly code: string; readonly reason: string },
): V201.Get15118EVCertificateResponse {
  ctx.log.warn(
    {
      stationId: ctx.stationId,
      action: request.action,
      iso15118SchemaVersion: request.iso15118SchemaVersion,
      reasonCode: failure.code,
      reason: failure.reason,
    },
    'Get15118EVCertificate failed',
  );
  // exiResponse is required by the schema even when there is none to give.
  return {
    status: 'Failed',
    exiResponse: '',
    statusInfo: { reasonCode: failure.code, additionalInfo: ADDITIONAL_INFO[failure.code] ?? failure.reason },
  };
}
