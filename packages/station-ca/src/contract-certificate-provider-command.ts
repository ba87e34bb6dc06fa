import { spawn } from 'node:child_process';
import {
  answerFromText,
  contractFailure,
  MAX_PROVIDER_ANSWER_BYTES,
  type ContractCertificateAnswer,
  type ContractCertificateProvider,
  type ContractCertificateRequest,
} from './contract-certificate-provider.js';

/** Settings of {@link CommandContractCertificateProvider}. */
export interface CommandContractCertificateProviderOptions {
  /** The program and its arguments (no shell). */
  readonly command: readonly [string, ...string[]];
  /** Longest wait for the program's answer (ms); it is killed then. */
  readonly timeoutMs: number;
}

/** Of the program's standard error, this much is kept for the log. */
const MAX_STDERR = 4096;

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

  provide(request: ContractCertificateRequest): Promise<ContractCertificateAnswer> {
    const [program, ...args] = this.#options.command;
    const source = `contract certificate program ${program}`;
    return new Promise((resolve) => {
      const child = spawn(program, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: {
          ...process.env,
          CSMS_STATION_ID: request.stationId,
          CSMS_CERTIFICATE_ACTION: request.action,
        },
      });
      const stdout: Buffer[] = [];
      let stdoutBytes = 0;
      let stderr = '';
      let settled = false;
      const finish = (answer: ContractCertificateAnswer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        // A grandchild may still hold the pipes: do not wait for them.
        child.stdout.destroy();
        child.stderr.destroy();
        resolve(answer);
      };
      const timer = setTimeout(
        () =>
          finish(
            contractFailure(
              'BackendTimeout',
              `${source} gave no answer within ${this.#options.timeoutMs} ms`,
            ),
          ),
        this.#options.timeoutMs,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        stdoutBytes += chunk.byteLength;
        if (stdoutBytes > MAX_PROVIDER_ANSWER_BYTES)
          finish(
            contractFailure(
              'InvalidResponse',
              `${source} printed more than ${MAX_PROVIDER_ANSWER_BYTES} bytes`,
            ),
          );
        else stdout.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < MAX_STDERR) stderr += chunk.toString('utf8').slice(0, MAX_STDERR - stderr.length);
      });
      child.on('error', (error) =>
        finish(contractFailure('BackendError', `cannot run ${program}: ${error.message}`)),
      );
      child.on('close', (code, signal) => {
        if (code === 0) {
          finish(answerFromText(Buffer.concat(stdout).toString('utf8'), source));
          return;
        }
        const detail = stderr.trim().slice(0, 500);
        finish(
          contractFailure(
            'BackendError',
            `${source} exited with ${code ?? signal}${detail ? `: ${detail}` : ''}`,
          ),
        );
      });
      // A program that exits before reading its input (it refuses at once) closes the pipe: the write fails with
      // EPIPE, which must not become an uncaught error (it would end the CSMS); its exit status is the answer.
      child.stdin.on('error', () => undefined);
      child.stdin.end(`${JSON.stringify(request)}\n`);
    });
  }
}
