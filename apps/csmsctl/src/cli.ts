import { Command, CommanderError } from 'commander';
import { HealthDefinition } from '@csms/grpc';
import { ExitCode, reportError, UsageError } from './cli-error.js';
import { registerAuthCommands } from './commands/auth.js';
import { registerCertificateCommands } from './commands/certificates.js';
import { registerChargingCommands } from './commands/charging.js';
import { registerCustomerCommands } from './commands/customers.js';
import { registerDisplayMessageCommands } from './commands/display-messages.js';
import { registerFirmwareCommands } from './commands/firmware.js';
import { registerMonitoringCommands } from './commands/monitoring.js';
import { registerOcppCommands } from './commands/ocpp.js';
import { registerReservationCommands } from './commands/reservations.js';
import { registerTariffCommands } from './commands/tariffs.js';
import { registerStationCommands } from './commands/stations.js';
import { registerTransactionCommands } from './commands/transactions.js';
import { CliContext, type GlobalOptions } from './context.js';
import type { CliIo } from './io.js';
import { collect, parseIntOption } from './parse.js';

export const DEFAULT_ADDRESS = '127.0.0.1:50051';

/**
 * Runs `csmsctl <argv>` and resolves with the exit code (0 success, 1 API error, 2 usage error,
 * 3 API unreachable). Output goes to `io`; nothing here calls process.exit, so it runs in tests too.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  let context: CliContext | undefined;
  const program = new Command('csmsctl')
    .description('Operate the CSMS through its gRPC APIs.')
    .option(
      '--address <host:port>',
      'the CSMS API (env CSMSCTL_ADDRESS)',
      env.CSMSCTL_ADDRESS ?? DEFAULT_ADDRESS,
    )
    .option('--token <token>', 'bearer token (env CSMS_API_TOKEN)')
    .option('--ca <file>', 'TLS: CA certificate to trust (PEM)')
    .option('--cert <file>', 'mutual TLS: client certificate (PEM)')
    .option('--key <file>', 'mutual TLS: client key (PEM)')
    .option(
      '--endpoint <service=host:port>',
      'address of one service when they run apart (auth, transaction, firmware, smart-charging, reservation, station; repeatable; env CSMSCTL_ENDPOINTS, comma-separated)',
      collect,
    )
    .option('--json', 'print JSON instead of tables', false)
    .option('--timeout <ms>', 'deadline of each API call', parseIntOption('--timeout', 1, 3_600_000), 10_000)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    });
  const ctx = () => {
    if (!context) {
      const o = program.opts<
        Omit<GlobalOptions, 'token' | 'endpoints'> & { token?: string; endpoint?: string[] }
      >();
      const token = o.token ?? env.CSMS_API_TOKEN;
      const endpoints = endpointsOf([...(env.CSMSCTL_ENDPOINTS?.split(',') ?? []), ...(o.endpoint ?? [])]);
      context = new CliContext({ ...o, endpoints, ...(token ? { token } : {}) }, io);
    }
    return context;
  };
  registerStationCommands(program, ctx);
  registerAuthCommands(program, ctx);
  registerCertificateCommands(program, ctx);
  registerCustomerCommands(program, ctx);
  registerTransactionCommands(program, ctx);
  registerFirmwareCommands(program, ctx);
  registerChargingCommands(program, ctx);
  registerReservationCommands(program, ctx);
  registerTariffCommands(program, ctx);
  registerDisplayMessageCommands(program, ctx);
  registerMonitoringCommands(program, ctx);
  registerOcppCommands(program, ctx);
  program
    .command('health')
    .description('check that the API answers (grpc.health.v1)')
    .action(async () => {
      const c = ctx();
      const { status } = await c.client(HealthDefinition).check({ service: '' }, c.call());
      const serving = (status as number) === 1; // grpc.health.v1 ServingStatus.SERVING
      c.out.line({ status: serving ? 'SERVING' : 'NOT_SERVING' }, serving ? 'SERVING' : 'NOT_SERVING');
      if (!serving)
        throw new CommanderError(ExitCode.apiError, 'csmsctl.notServing', 'the API is not serving');
    });
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError();

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version output end with exit code 0; parse errors were already printed by commander.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help') return ExitCode.ok;
      return error.code === 'csmsctl.notServing' ? ExitCode.apiError : ExitCode.usage;
    }
    return reportError(error, io.stderr);
  } finally {
    context?.close();
  }
}

const SERVICES = ['station', 'auth', 'transaction', 'firmware', 'smart-charging', 'reservation'];

/** `auth=host:port` items → a map; a malformed item is a usage error. */
function endpointsOf(items: readonly string[]): Record<string, string> {
  const endpoints: Record<string, string> = {};
  for (const item of items.map((i) => i.trim()).filter(Boolean)) {
    const match = /^([a-z-]+)=(.+:\d+)$/.exec(item);
    if (!match || !SERVICES.includes(match[1]!))
      throw new UsageError(
        `--endpoint must be <service>=<host:port> with service one of ${SERVICES.join(', ')}, got "${item}"`,
      );
    endpoints[match[1]!] = match[2]!;
  }
  return endpoints;
}
