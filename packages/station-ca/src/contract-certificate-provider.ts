/**
 * What a station forwards for an EV's ISO 15118 CertificateInstallationReq / CertificateUpdateReq (2.0.1
 * Get15118EVCertificateRequest, M01.FR.01 / M02.FR.01), plus the station it came from. This is also the JSON object
 * the external providers receive (a program on its standard input, a backend as the POST body).
 */
export interface ContractCertificateRequest {
  readonly stationId: string;
  /** The ISO 15118 schema of the EV session (e.g. `urn:iso:15118:2:2013:MsgDef`): the backend needs it to parse the EXI. */
  readonly iso15118SchemaVersion: string;
  readonly action: 'Install' | 'Update';
  /** The EV's raw EXI request, base64, passed on unchanged. */
  readonly exiRequest: string;
  /** ISO 15118-20 only (OCPP 2.1 M01.FR.03): the EV's MaximumContractCertificateChains. 2.0.1 stations never send it. */
  readonly maximumContractCertificateChains?: number;
  /** ISO 15118-20 only (OCPP 2.1): the EMAIDs the EV prefers, in order. 2.0.1 stations never send them. */
  readonly prioritizedEMAIDs?: readonly string[];
}

/** Why a provider gave no exiResponse; also the StatusInfo reasonCode the station gets (at most 20 characters). */
export type ContractCertificateFailureCode =
  /** The program or backend did not answer within the timeout. */
  | 'BackendTimeout'
  /** It could not be run or reached, exited non-zero, or answered an HTTP error status. */
  | 'BackendError'
  /** It answered, explicitly, that it has no certificate for this request (`{"status":"Failed"}`). */
  | 'BackendRefused'
  /** Its answer was not one of the documented forms (not JSON, no base64 exiResponse, too large). */
  | 'InvalidResponse';

/** A provider's answer: the raw base64 EXI CertificateInstallationRes / CertificateUpdateRes, or why there is none. */
export type ContractCertificateAnswer =
  | { readonly status: 'Accepted'; readonly exiResponse: string }
  | {
      readonly status: 'Failed';
      readonly code: ContractCertificateFailureCode;
      /** For the operator's log: names the program or backend and what went wrong (not sent to the station). */
      readonly reason: string;
    };

/**
 * The secondary actor that makes contract certificates for EVs (M01/M02 prerequisites: "a third party that can
 * process the CertificateInstallationRequest, for example a contract certificate pool", VDE-AR-E 2802-100-1), or an
 * adapter in front of a mobility operator's PKI. The CSMS does not parse the EXI: it passes the EV's request and the
 * backend's signed response through. Implementations never throw: every failure is a `Failed` answer.
 */
export interface ContractCertificateProvider {
  /** For logs (`command`, `http`). */
  readonly name: string;
  provide(request: ContractCertificateRequest): Promise<ContractCertificateAnswer>;
}

/** The most a provider may answer: a CertificateInstallationRes is a few KB (2.0.1 exiResponse: 5,600 characters). */
export const MAX_PROVIDER_ANSWER_BYTES = 64 * 1024;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function contractFailure(
  code: ContractCertificateFailureCode,
  reason: string,
): ContractCertificateAnswer {
  return { status: 'Failed', code, reason };
}

/**
 * An answer as a program prints it: the base64 exiResponse alone (line breaks allowed, as `base64` wraps), or a
 * JSON object (see {@link answerFromJson}).
 */
export function answerFromText(text: string, source: string): ContractCertificateAnswer {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return exiAnswer(trimmed, source);
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return contractFailure('InvalidResponse', `${source} printed invalid JSON`);
  }
  return answerFromJson(parsed, source);
}

/**
 * An answer as JSON: `{"exiResponse": "<base64>"}` (optionally with `"status": "Accepted"`) is Accepted;
 * `{"status": "Failed", "reason": "..."}` is the backend's refusal; anything else is InvalidResponse.
 */
export function answerFromJson(value: unknown, source: string): ContractCertificateAnswer {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return contractFailure('InvalidResponse', `${source} answered JSON that is not an object`);
  const answer = value as { status?: unknown; exiResponse?: unknown; reason?: unknown };
  if (answer.status === 'Failed') {
    const reason = typeof answer.reason === 'string' ? answer.reason.slice(0, 500) : 'no reason given';
    return contractFailure('BackendRefused', `${source} refused: ${reason}`);
  }
  if (answer.status !== undefined && answer.status !== 'Accepted')
    return contractFailure('InvalidResponse', `${source} answered status ${JSON.stringify(answer.status)}`);
  if (typeof answer.exiResponse !== 'string')
    return contractFailure('InvalidResponse', `${source} answered no exiResponse string`);
  return exiAnswer(answer.exiResponse, source);
}

function exiAnswer(text: string, source: string): ContractCertificateAnswer {
  const exiResponse = text.replace(/\s+/g, '');
  if (exiResponse.length === 0)
    return contractFailure('InvalidResponse', `${source} answered an empty exiResponse`);
  if (exiResponse.length % 4 !== 0 || !BASE64.test(exiResponse))
    return contractFailure(
      'InvalidResponse',
      `${source} answered an exiResponse that is not base64: ${JSON.stringify(exiResponse.slice(0, 40))}`,
    );
  return { status: 'Accepted', exiResponse };
}
