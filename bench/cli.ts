/**
 * `npm run bench -- [--profile ci|full] [--stations N] [--duration S] [--json out.json] ...`: runs the
 * benchmark (see bench/README.md), prints progress on stderr and the report on stdout.
 * Exit codes: 0 done, 1 failure, 2 usage error, 130 interrupted. Ctrl-C stops the run and cleans up
 * (every child process and temporary folder); a second Ctrl-C kills the children at once.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { USAGE, parseCli, type CliRequest } from './cli-args.js';
import { formatReport } from './report.js';
import { runBench } from './run.js';

async function main(argv: readonly string[]): Promise<number> {
  let request: CliRequest;
  try {
    request = parseCli(argv);
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  if (request.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals > 1) {
      // The 'exit' handler of the run kills the registered children and removes its folders.
      process.stderr.write('bench: interrupted again, killing everything\n');
      process.exit(130);
    }
    process.stderr.write('bench: interrupted, stopping and cleaning up (again to kill at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runBench({
      ...request.options,
      signal: controller.signal,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${formatReport(result)}\n`);
    if (request.json !== undefined) {
      // npm runs scripts in the package root: a relative path is relative to where npm was invoked.
      const file = resolve(process.env.INIT_CWD ?? process.cwd(), request.json);
      writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
      process.stderr.write(`bench: wrote ${file}\n`);
    }
    return 0;
  } catch (error) {
    if (controller.signal.aborted) return 130;
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

process.exitCode = await main(process.argv.slice(2));
