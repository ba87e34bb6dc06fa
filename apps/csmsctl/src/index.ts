export { runCli, DEFAULT_ADDRESS } from './cli.js';
export { ExitCode } from './cli-error.js';
export type { CliIo } from './io.js';
