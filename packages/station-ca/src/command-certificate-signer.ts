import { execFile } from 'node:child_process';
import type { CertificateSigner, SigningRequest } from './certificate-signer.js';
import { pemCertificates } from './certificate-facts.js';

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

  sign(request: SigningRequest): Promise<string> {
    const [program, ...args] = this.#options.command;
    return new Promise((resolve, reject) => {
      const child = execFile(
        program,
        args,
        {
          timeout: this.#options.timeoutMs,
          maxBuffer: MAX_OUTPUT,
          env: {
            ...process.env,
            CSMS_STATION_ID: request.stationId,
            CSMS_CERTIFICATE_TYPE: request.certificateType,
          },
        },
        (error, stdout, stderr) => {
          if (error) {
            const detail = String(stderr).trim().slice(0, 500);
            reject(
              new Error(
                `certificate signer ${program} failed: ${error.message}${detail ? `: ${detail}` : ''}`,
              ),
            );
            return;
          }
          const chain = pemCertificates(String(stdout));
          if (chain.length === 0)
            reject(new Error(`certificate signer ${program} printed no PEM certificate`));
          else resolve(chain.join('\n'));
        },
      );
      // A program that exits before reading its input (it refuses at once) closes the pipe: the write fails with
      // EPIPE, which must not become an uncaught error (it would end the CSMS); its exit status is the answer.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(request.csrPem);
    });
  }
}
