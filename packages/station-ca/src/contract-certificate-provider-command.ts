import {
  answerFromText,
  contractFailure,
  MAX_PROVIDER_ANSWER_BYTES,
  type ContractCertificateAnswer,
  type ContractCertificateProvider,
  type ContractCertificateRequest,
} from './contract-certificate-provider.js';
import { describeFailure, runProgram, type ProgramRun } from './run-program.js';

/** Settings of {@link CommandContractCertificateProvider}. */
export interface CommandContractCertificateProviderOptions {
  /** The program and its arguments (no shell). */
  readonly command: readonly [string, ...string[]];
  /** Longest wait for the program's answer (ms); it is killed then. */
  readonly timeoutMs: number;
}

/**
 * A contract certificate backend reached through a program (e.g. a script calling a contract certificate pool's or
 * a mobility operator's API). It gets the {@link ContractCertificateRequest} as one JSON object on its standard input
 * (and `CSMS_STATION_ID`, `CSMS_CERTIFICATE_ACTION` in its environment), prints the base64 EXI response (alone, or
 * as `{"exiResponse": "..."}`) and exits 0; `{"status": "Failed", "reason": "..."}` or a non-zero exit is a refusal
 * (its standard error goes to the log). It is killed after `timeoutMs`, and the answer is then Failed whether or
 * not something it started still holds its output open.
 */
export class CommandContractCertificateProvider implements ContractCertificateProvider {
  readonly name = 'command';
  readonly #options: CommandContractCertificateProviderOptions;

  constructor(options: CommandContractCertificateProviderOptions) {
    this.#options = options;
  }

  async provide(request: ContractCertificateRequest): Promise<ContractCertificateAnswer> {
    const run: ProgramRun = {
      command: this.#options.command,
      input: `${JSON.stringify(request)}\n`,
      env: { CSMS_STATION_ID: request.stationId, CSMS_CERTIFICATE_ACTION: request.action },
      timeoutMs: this.#options.timeoutMs,
      maxOutputBytes: MAX_PROVIDER_ANSWER_BYTES,
    };
    const source = `contract certificate program ${run.command[0]}`;
    const outcome = await runProgram(run);
    if (outcome.kind === 'exited' && outcome.code === 0) return answerFromText(outcome.stdout, source);
    const code =
      outcome.kind === 'timeout'
        ? 'BackendTimeout'
        : outcome.kind === 'too-much-output'
          ? 'InvalidResponse'
          : 'BackendError';
    return contractFailure(code, `${source} ${describeFailure(outcome, run)}`);
  }
}
