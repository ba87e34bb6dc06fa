import type { CertificateSigner, SigningRequest } from './certificate-signer.js';
import { pemCertificates } from './certificate-facts.js';
import { describeFailure, runProgram, type ProgramRun } from './run-program.js';

/** Settings of {@link CommandCertificateSigner}. */
export interface CommandCertificateSignerOptions {
  /** The program and its arguments (no shell). */
  readonly command: readonly [string, ...string[]];
  /** Longest wait for the program (ms); it is killed after. */
  readonly timeoutMs: number;
}

/** The most a signer may print: a chain of a few certificates is well under it (CertificateSigned allows 10,000). */
const MAX_OUTPUT = 64 * 1024;

/**
 * An external CA reached through a program: the CSR (PEM) on its standard input, `CSMS_STATION_ID` and
 * `CSMS_CERTIFICATE_TYPE` in its environment; it prints the PEM chain (new certificate first) and exits 0, or exits
 * non-zero to refuse (its standard error goes to the log). Fits `openssl x509 -req`, `step ca sign`, a script that
 * calls a CA's REST API, or an HSM tool, without code in the CSMS (A02.FR.04: a dedicated CA server).
 */
export class CommandCertificateSigner implements CertificateSigner {
  readonly name = 'command';
  readonly #options: CommandCertificateSignerOptions;

  constructor(options: CommandCertificateSignerOptions) {
    this.#options = options;
  }

  async sign(request: SigningRequest): Promise<string> {
    const run: ProgramRun = {
      command: this.#options.command,
      input: request.csrPem,
      env: { CSMS_STATION_ID: request.stationId, CSMS_CERTIFICATE_TYPE: request.certificateType },
      timeoutMs: this.#options.timeoutMs,
      maxOutputBytes: MAX_OUTPUT,
    };
    const program = run.command[0];
    const outcome = await runProgram(run);
    if (outcome.kind !== 'exited' || outcome.code !== 0)
      throw new Error(`certificate signer ${program} failed: ${describeFailure(outcome, run)}`);
    const chain = pemCertificates(outcome.stdout);
    if (chain.length === 0) throw new Error(`certificate signer ${program} printed no PEM certificate`);
    return chain.join('\n');
  }
}
