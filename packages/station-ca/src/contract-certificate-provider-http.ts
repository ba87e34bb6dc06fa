import { fetchFailureCause, readBoundedBody } from './bounded-body.js';
import {
  answerFromJson,
  contractFailure,
  MAX_PROVIDER_ANSWER_BYTES,
  type ContractCertificateAnswer,
  type ContractCertificateProvider,
  type ContractCertificateRequest,
} from './contract-certificate-provider.js';

/** Settings of {@link HttpContractCertificateProvider}. */
export interface HttpContractCertificateProviderOptions {
  /** The backend's http(s) URL. */
  readonly url: string;
  /** Bound on one whole exchange (connect, request, answer), ms. */
  readonly timeoutMs: number;
}

/**
 * A contract certificate backend reached over HTTP: the {@link ContractCertificateRequest} is POSTed as JSON to the
 * configured URL (e.g. a small adapter in front of a contract certificate pool such as Hubject's Plug & Charge API,
 * which holds that API's credentials). A 2xx answer with the JSON `{"exiResponse": "<base64>"}` is Accepted,
 * `{"status": "Failed", "reason": "..."}` a refusal; another status, a body that is not such JSON or larger than
 * 64 KiB, no answer within `timeoutMs`: Failed with the reason. Redirects are not followed.
 */
export class HttpContractCertificateProvider implements ContractCertificateProvider {
  readonly name = 'http';
  readonly #options: HttpContractCertificateProviderOptions;
  readonly #source: string;

  constructor(options: HttpContractCertificateProviderOptions) {
    this.#options = options;
    this.#source = `contract certificate backend ${new URL(options.url).origin}`;
  }

  async provide(request: ContractCertificateRequest): Promise<ContractCertificateAnswer> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // One deadline for the whole exchange, body included: a backend that sends its headers and then stalls fails too.
    const deadline = new Promise<ContractCertificateAnswer>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve(
          contractFailure(
            'BackendTimeout',
            `${this.#source} gave no answer within ${this.#options.timeoutMs} ms`,
          ),
        );
      }, this.#options.timeoutMs);
    });
    try {
      return await Promise.race([this.#exchange(request, controller.signal), deadline]);
    } finally {
      clearTimeout(timer);
      // Closes the connection of an exchange the deadline cut short; no effect on a finished one.
      controller.abort();
    }
  }

  async #exchange(
    request: ContractCertificateRequest,
    signal: AbortSignal,
  ): Promise<ContractCertificateAnswer> {
    let response: Response;
    try {
      response = await fetch(this.#options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(request),
        signal,
        redirect: 'error',
      });
    } catch (error) {
      return contractFailure('BackendError', `could not reach ${this.#source}: ${fetchFailureCause(error)}`);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return contractFailure('BackendError', `${this.#source} answered HTTP ${response.status}`);
    }
    let text: string;
    try {
      text = (await readBoundedBody(response, MAX_PROVIDER_ANSWER_BYTES, 'answer')).toString('utf8');
    } catch (error) {
      return contractFailure('InvalidResponse', `${this.#source}: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return contractFailure('InvalidResponse', `${this.#source} answered a body that is not JSON`);
    }
    return answerFromJson(parsed, this.#source);
  }
}
