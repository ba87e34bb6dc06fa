import type { Command } from 'commander';
import { authV1 } from '@csms/grpc';
import { UsageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { parseIntOption } from '../parse.js';
import { STATION_ANSWER_MS } from '../station-call.js';
import { AUTH_STATUS } from './auth-status.js';
import { EnumChoice } from './proto-json.js';

const { AuthServiceDefinition } = authV1;

type Ctx = () => CliContext;

/** The flags naming the customer, and the report wait. */
interface CustomerFlags {
  readonly idToken?: string;
  readonly type: string;
  readonly customer?: string;
  readonly certificate?: string;
  readonly wait?: number;
}

const DEFAULT_WAIT_SECONDS = 30;

const LIST_STATUS = new EnumChoice<authV1.LocalListStatus>(
  'status',
  authV1.LocalListStatus,
  'LOCAL_LIST_STATUS_',
);

/** `customers get|clear`: customer information of a 2.0.1 station (N09 / N10) and the CSMS's own data. */
export function registerCustomerCommands(program: Command, ctx: Ctx): void {
  const customers = program
    .command('customers')
    .description("a customer's data on a 2.0.1 station and in the CSMS (CustomerInformation, N09 / N10)");
  withCustomerFlags(
    customers
      .command('get <station>')
      .description("ask the station for what it holds about a customer (the report), with the CSMS's data"),
  ).action(async (station: string, o: CustomerFlags) => {
    const c = ctx();
    const r = await c
      .client(AuthServiceDefinition)
      .getCustomerInformation({ stationId: station, ...customerOf(o) }, c.call(deadlineMs(o, 1)));
    c.out.record(authV1.GetCustomerInformationResponse.toJSON(r), [
      ['station', station],
      ...reportFields(r.report),
      ...csmsFields(r.csmsData),
    ]);
  });
  withCustomerFlags(
    customers
      .command('clear <station>')
      .description(
        "have the station clear what it holds about a customer; a token on the station's local list is removed from it (SendLocalList Differential)",
      )
      .option('--report', 'also have the station report the data it clears'),
  ).action(async (station: string, o: CustomerFlags & { report?: boolean }) => {
    const c = ctx();
    const r = await c
      .client(AuthServiceDefinition)
      .clearCustomerInformation(
        { stationId: station, ...customerOf(o), report: o.report === true },
        c.call(deadlineMs(o, 2)),
      );
    const update = r.localListUpdate;
    c.out.record(authV1.ClearCustomerInformationResponse.toJSON(r), [
      ['station', station],
      ...reportFields(r.report),
      ['local list update', update ? LIST_STATUS.name(update.status) : r.localListError || 'not needed'],
      ...(update ? [['local list version', update.version] as const] : []),
      ...csmsFields(r.csmsData),
    ]);
  });
}

function withCustomerFlags(command: Command): Command {
  return command
    .option('--id-token <token>', 'the customer by id token')
    .option('--type <type>', 'the id token type (2.0.1 IdTokenEnumType)', 'ISO14443')
    .option('--customer <id>', 'the customer by a (vendor specific) customer identifier')
    .option(
      '--certificate <hash>',
      'the customer by contract certificate: <hashAlgorithm>:<issuerNameHash>:<issuerKeyHash>:<serialNumber>',
    )
    .option(
      '--wait <seconds>',
      `how long to wait for the station's report (default ${DEFAULT_WAIT_SECONDS})`,
      parseIntOption('--wait', 0, 120),
    );
}

/** The one customer reference of the flags (a usage error for none or several). */
function customerOf(
  o: CustomerFlags,
): Pick<
  authV1.GetCustomerInformationRequest,
  'idToken' | 'customerIdentifier' | 'customerCertificate' | 'reportWaitSeconds'
> {
  const given = [o.idToken, o.customer, o.certificate].filter((f) => f !== undefined);
  if (given.length !== 1)
    throw new UsageError('give exactly one of --id-token, --customer and --certificate');
  return {
    idToken: o.idToken !== undefined ? { idToken: o.idToken, type: o.type } : undefined,
    customerIdentifier: o.customer ?? '',
    customerCertificate: o.certificate !== undefined ? certificateOf(o.certificate) : undefined,
    ...(o.wait !== undefined ? { reportWaitSeconds: o.wait } : {}),
  };
}

function certificateOf(value: string): authV1.CustomerCertificate {
  const parts = value.split(':');
  if (parts.length !== 4 || parts.some((p) => p === ''))
    throw new UsageError(
      '--certificate must be <hashAlgorithm>:<issuerNameHash>:<issuerKeyHash>:<serialNumber>',
    );
  const [hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber] = parts as [
    string,
    string,
    string,
    string,
  ];
  return { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber };
}

/** The station's answers (CustomerInformation, SendLocalList) and the report wait, on top of --timeout. */
function deadlineMs(o: CustomerFlags, stationCalls: number): number {
  return STATION_ANSWER_MS * stationCalls + (o.wait ?? DEFAULT_WAIT_SECONDS) * 1000;
}

function reportFields(report: authV1.CustomerInformationReport | undefined): [string, unknown][] {
  return [
    ['request id', report?.requestId],
    ['report complete', report?.complete],
    ['report parts', report?.parts],
    ['station data', report?.data],
  ];
}

function csmsFields(data: authV1.CsmsCustomerData | undefined): [string, unknown][] {
  const token = data?.idToken;
  const entries = data?.localListEntries ?? [];
  return [
    ['csms id token', token ? `${token.idToken} (${token.type || 'any type'})` : 'not stored'],
    ...(token
      ? [
          ['csms status', AUTH_STATUS.name(token.status)] as [string, unknown],
          ['csms group', token.groupId] as [string, unknown],
          ['csms expires', token.expireTime] as [string, unknown],
        ]
      : []),
    [
      'on local lists of',
      entries
        .map((e) => `${e.stationId} (v${e.listVersion}, ${AUTH_STATUS.name(e.entry?.status ?? 0)})`)
        .join(', '),
    ],
  ];
}
