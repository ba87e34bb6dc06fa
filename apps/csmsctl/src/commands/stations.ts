import type { Command } from 'commander';
import { stationV1 } from '@csms/grpc';
import { UsageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { follow } from '../follow.js';
import { collect, parseIntOption, readJsonObject } from '../parse.js';
import { pages, printPage, withPageOptions, type PageOptions } from './paging.js';
import {
  callOptionsOf,
  printStationAnswer,
  stationCallDeadline,
  withStationCallFlags,
  type StationCallFlags,
} from '../station-call.js';

const { BootPolicy, StationServiceDefinition } = stationV1;

const POLICIES: Record<string, stationV1.BootPolicy> = {
  default: BootPolicy.BOOT_POLICY_UNSPECIFIED,
  accepted: BootPolicy.BOOT_POLICY_ACCEPTED,
  pending: BootPolicy.BOOT_POLICY_PENDING,
  rejected: BootPolicy.BOOT_POLICY_REJECTED,
};

function policyOf(value: string): stationV1.BootPolicy {
  const policy = POLICIES[value.toLowerCase()];
  if (policy === undefined)
    throw new UsageError(`--boot-policy must be one of ${Object.keys(POLICIES).join(', ')}, got "${value}"`);
  return policy;
}

function policyName(policy: stationV1.BootPolicy): string {
  return Object.entries(POLICIES).find(([, p]) => p === policy)?.[0] ?? 'unknown';
}

function stationFields(s: stationV1.Station): [string, unknown][] {
  return [
    ['id', s.id],
    ['security profile', s.securityProfile],
    ['boot policy', policyName(s.bootPolicy)],
    ['password set', s.hasPassword],
    ['auto-registered', s.autoRegistered],
    ['OCPP version', s.ocppVersion],
    ['vendor', s.vendor],
    ['model', s.model],
    ['serial number', s.serialNumber],
    ['firmware', s.firmwareVersion],
    ['registration', s.registrationStatus],
    ['last boot', s.lastBootTime],
    ['last heartbeat', s.lastHeartbeatTime],
    ['created', s.createTime],
    ['updated', s.updateTime],
  ];
}

const json = (s: stationV1.Station | undefined) => (s ? stationV1.Station.toJSON(s) : {});

type Ctx = () => CliContext;

/** The settable fields of `stations create` and `stations update`. */
interface StationFields {
  readonly profile?: number;
  readonly bootPolicy?: string;
  readonly password?: string;
}

const withFields = (cmd: Command) =>
  cmd
    .option('--profile <n>', 'security profile 0-3', parseIntOption('--profile', 0, 3))
    .option('--boot-policy <policy>', 'accepted | pending | rejected | default')
    .option('--password <password>', 'Basic-auth password (16-40 characters)');

/** `stations list|get|create|update|delete`, `call`, `calls get`, `events`: csms.station.v1. */
export function registerStationCommands(program: Command, ctx: Ctx): void {
  const stations = program.command('stations').description('the station registry');
  addList(stations, ctx);
  stations
    .command('get <id>')
    .description('show one station')
    .action(async (id: string) => {
      const c = ctx();
      const { station } = await c.client(StationServiceDefinition).getStation({ id }, c.call());
      c.out.record(json(station), station ? stationFields(station) : []);
    });
  addCreateAndUpdate(stations, ctx);
  stations
    .command('delete <id>')
    .description('remove a station and everything recorded about it, and disconnect it')
    .action(async (id: string) => {
      const c = ctx();
      await c.client(StationServiceDefinition).deleteStation({ id }, c.call());
      c.out.line({ deleted: id }, `deleted ${id}`);
    });
  addCall(program, ctx);
  addQueuedCalls(program, ctx);
  addEvents(program, ctx);
}

function addList(stations: Command, ctx: Ctx): void {
  withPageOptions(
    stations
      .command('list')
      .description('list stations (ordered by id)')
      .option('--prefix <prefix>', 'only ids starting with this'),
    'stations',
  ).action(async (o: PageOptions & { prefix?: string }) => {
    const c = ctx();
    const client = c.client(StationServiceDefinition);
    const { items, nextPageToken } = await pages(o.all, o.pageToken, async (pageToken) => {
      const page = await client.listStations(
        { pageSize: o.pageSize, pageToken, idPrefix: o.prefix ?? '' },
        c.call(),
      );
      return { items: page.stations, nextPageToken: page.nextPageToken };
    });
    printPage(
      c,
      { stations: items.map(json), nextPageToken },
      ['id', 'profile', 'boot policy', 'version', 'vendor', 'model', 'registration', 'last heartbeat'],
      items.map((s) => [
        s.id,
        s.securityProfile,
        policyName(s.bootPolicy),
        s.ocppVersion,
        s.vendor,
        s.model,
        s.registrationStatus,
        s.lastHeartbeatTime,
      ]),
      nextPageToken,
    );
  });
}

function addCreateAndUpdate(stations: Command, ctx: Ctx): void {
  withFields(stations.command('create <id>').description('register a station')).action(
    async (id: string, o: StationFields) => {
      const c = ctx();
      const { station } = await c.client(StationServiceDefinition).createStation(
        {
          id,
          securityProfile: o.profile ?? 1,
          bootPolicy: o.bootPolicy ? policyOf(o.bootPolicy) : BootPolicy.BOOT_POLICY_UNSPECIFIED,
          ...(o.password !== undefined ? { password: o.password } : {}),
        },
        c.call(),
      );
      c.out.record(json(station), station ? stationFields(station) : []);
    },
  );
  withFields(stations.command('update <id>').description('change a station (only the given fields)')).action(
    async (id: string, o: StationFields) => {
      const c = ctx();
      const { station } = await c.client(StationServiceDefinition).updateStation(
        {
          id,
          ...(o.profile !== undefined ? { securityProfile: o.profile } : {}),
          ...(o.bootPolicy !== undefined ? { bootPolicy: policyOf(o.bootPolicy) } : {}),
          ...(o.password !== undefined ? { password: o.password } : {}),
        },
        c.call(),
      );
      c.out.record(json(station), station ? stationFields(station) : []);
    },
  );
}

function addCall(program: Command, ctx: Ctx): void {
  withStationCallFlags(
    program
      .command('call <station> <action> [payload]')
      .description(
        'send any OCPP CALL to a station (payload: JSON, @file or - for stdin) and print its answer',
      ),
  ).action(async (station: string, action: string, payloadArg: string | undefined, o: StationCallFlags) => {
    const c = ctx();
    const payload = await readJsonObject('payload', payloadArg, c.io);
    const answer = await c
      .client(StationServiceDefinition)
      .call({ stationId: station, action, payload, options: callOptionsOf(o) }, stationCallDeadline(c, o));
    printStationAnswer(c, answer, stationV1.CallResponse.toJSON(answer));
  });
}

function addQueuedCalls(program: Command, ctx: Ctx): void {
  program
    .command('calls')
    .description('calls queued for offline stations')
    .command('get <id>')
    .description('state and outcome of a queued call')
    .action(async (id: string) => {
      const c = ctx();
      const r = await c.client(StationServiceDefinition).getQueuedCall({ id }, c.call());
      c.out.record(stationV1.GetQueuedCallResponse.toJSON(r), [
        ['id', r.id],
        ['station', r.stationId],
        ['action', r.action],
        ['state', r.state],
        ['created', r.createTime],
        ['expires', r.expireTime],
        ['outcome', r.outcome],
      ]);
    });
}

function addEvents(program: Command, ctx: Ctx): void {
  program
    .command('events')
    .description('follow live station events (Ctrl-C to stop)')
    .option('--station <id>', 'only this station (repeatable)', collect)
    .option('--type <type>', 'only this event type, e.g. booted (repeatable)', collect)
    .option('--count <n>', 'stop after n events', parseIntOption('--count', 1, 1_000_000))
    .action(async (o: { station?: string[]; type?: string[]; count?: number }) => {
      const c = ctx();
      await follow(
        c,
        (signal) =>
          c
            .client(StationServiceDefinition)
            .streamStationEvents({ stationIds: o.station ?? [], types: o.type ?? [] }, { signal }),
        (event) => stationV1.StationEvent.toJSON(event),
        o.count,
      );
    });
}
