import type { Command } from 'commander';
import { authV1 } from '@csms/grpc';
import { UsageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { parseIntOption } from '../parse.js';
import { STATION_ANSWER_MS } from '../station-call.js';
import { AUTH_STATUS } from './auth-status.js';
import { EnumChoice, parseMessage, readJsonArg } from './proto-json.js';

const { AuthServiceDefinition, UpdateType } = authV1;

type Ctx = () => CliContext;

const LIST_STATUS = new EnumChoice<authV1.LocalListStatus>(
  'status',
  authV1.LocalListStatus,
  'LOCAL_LIST_STATUS_',
);

function entryRow(e: authV1.LocalListEntry): unknown[] {
  return [e.idToken, e.type, AUTH_STATUS.name(e.status) || '(remove)', e.expireTime, e.groupId];
}

/** `local-list send|get|version`: the local authorization lists of csms.auth.v1. */
export function registerLocalListCommands(program: Command, ctx: Ctx): void {
  const localList = program
    .command('local-list')
    .description('local authorization lists kept on the stations (SendLocalList)');
  addLocalListSend(localList, ctx);
  localList
    .command('get <station>')
    .description('the stored local list of a station (what the CSMS believes it holds)')
    .action(async (station: string) => {
      const c = ctx();
      const r = await c.client(AuthServiceDefinition).getLocalList({ stationId: station }, c.call());
      if (!c.options.json)
        c.io.stdout.write(
          `version ${r.version}${r.updateTime ? ` (updated ${r.updateTime.toISOString()})` : ''}, ${r.entries.length} entries\n`,
        );
      c.out.table(
        authV1.GetLocalListResponse.toJSON(r),
        ['id token', 'type', 'status', 'expires', 'group'],
        r.entries.map(entryRow),
      );
    });
  localList
    .command('version <station>')
    .description('ask the station for its local list version and compare it with the stored one')
    .action(async (station: string) => {
      const c = ctx();
      const r = await c
        .client(AuthServiceDefinition)
        .getLocalListVersion({ stationId: station }, c.call(STATION_ANSWER_MS));
      c.out.record(authV1.GetLocalListVersionResponse.toJSON(r), [
        ['station', station],
        ['station version', r.stationVersion],
        ['stored version', r.storedVersion],
        ['in sync', r.inSync],
      ]);
    });
}

/** The entries of a `local-list send`: a JSON array or `{"entries": [...]}`, without the flags' fields. */
async function entriesOf(c: CliContext, entriesArg: string): Promise<authV1.LocalListEntry[]> {
  const value = await readJsonArg('entries', entriesArg, c.io);
  const entries = Array.isArray(value) ? { entries: value } : value;
  const request = parseMessage('entries', authV1.SendLocalListRequest, entries);
  if (request.stationId || request.updateType)
    throw new UsageError('entries: give the station and --full/--differential on the command line');
  if (request.maxEntriesPerMessage)
    throw new UsageError('entries: give the split with --per-message on the command line');
  return request.entries;
}

function addLocalListSend(localList: Command, ctx: Ctx): void {
  localList
    .command('send <station> <entries>')
    .description(
      'send a local list update: <entries> is a JSON array of LocalListEntry (proto3 JSON), or {"entries": [...]}, inline, @file or - (stdin)',
    )
    .option('--full', 'the entries replace the whole list')
    .option('--differential', 'the entries are added/updated (with a status) or removed (without)')
    .option(
      '--per-message <n>',
      "at most n entries per message (1-1000); without it the station's own limit splits the list (1.6 SendLocalListMaxLength, 2.0.1 LocalAuthListCtrlr.ItemsPerMessage), which n may only lower",
      parseIntOption('--per-message', 1, 1000),
    )
    .action(
      async (
        station: string,
        entriesArg: string,
        o: { full?: boolean; differential?: boolean; perMessage?: number },
      ) => {
        if (o.full === o.differential) throw new UsageError('give exactly one of --full and --differential');
        const c = ctx();
        const entries = await entriesOf(c, entriesArg);
        // One station call per message.
        const messages = o.perMessage ? Math.max(1, Math.ceil(entries.length / o.perMessage)) : 1;
        const r = await c.client(AuthServiceDefinition).sendLocalList(
          {
            stationId: station,
            updateType: o.full ? UpdateType.UPDATE_TYPE_FULL : UpdateType.UPDATE_TYPE_DIFFERENTIAL,
            entries,
            maxEntriesPerMessage: o.perMessage ?? 0,
          },
          c.call(STATION_ANSWER_MS * messages),
        );
        c.out.record(authV1.SendLocalListResponse.toJSON(r), [
          ['station', station],
          ['status', LIST_STATUS.name(r.status)],
          ['sent version', r.sentVersion],
          ['stored version', r.version],
          ['messages accepted', r.messagesAccepted],
          ['full update required', r.fullUpdateRequired],
          ['reason code', r.reasonCode],
        ]);
      },
    );
}
