import type { Command } from 'commander';
import { authV1 } from '@csms/grpc';
import { UsageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { parseDate, parseIntOption } from '../parse.js';
import { EnumChoice, pages, parseMessage, readJsonArg, type PageOptions } from './proto-json.js';

const { AuthServiceDefinition, AuthorizationStatus, UpdateType } = authV1;

const STATUS = new EnumChoice<authV1.AuthorizationStatus>(
  '--status',
  AuthorizationStatus,
  'AUTHORIZATION_STATUS_',
);
const LIST_STATUS = new EnumChoice<authV1.LocalListStatus>(
  'status',
  authV1.LocalListStatus,
  'LOCAL_LIST_STATUS_',
);

// A station's password can take a while: the CSMS waits for the station's answer.
const STATION_CALL_MS = 30_000;

function tokenFields(t: authV1.IdToken): [string, unknown][] {
  return [
    ['id token', t.idToken],
    ['type', t.type],
    ['status', STATUS.name(t.status)],
    ['expires', t.expireTime],
    ['group', t.groupId],
    ['created', t.createTime],
    ['updated', t.updateTime],
  ];
}

const tokenJson = (t: authV1.IdToken | undefined) => (t ? authV1.IdToken.toJSON(t) : {});

function entryRow(e: authV1.LocalListEntry): unknown[] {
  return [e.idToken, e.type, STATUS.name(e.status) || '(remove)', e.expireTime, e.groupId];
}

const pageSizeOption = (cmd: Command) =>
  cmd
    .option('--page-size <n>', 'items per page (1-1000)', parseIntOption('--page-size', 1, 1000), 100)
    .option('--page-token <token>', 'continue after a previous page')
    .option('--all', 'follow every page');

/** `tokens` (id tokens, Authorize), `stations password|security-profile`, `local-list`: csms.auth.v1. */
export function registerAuthCommands(program: Command, ctx: () => CliContext): void {
  const tokens = program.command('tokens').description('id tokens and authorization decisions (AuthService)');

  pageSizeOption(
    tokens
      .command('list')
      .description('list id tokens (ordered by value)')
      .option('--status <status>', `only this status: ${STATUS.choices.join(', ')}`, STATUS.parse)
      .option('--group <id>', 'only tokens of this group')
      .option('--prefix <prefix>', 'only tokens starting with this'),
  ).action(
    async (o: PageOptions & { status?: authV1.AuthorizationStatus; group?: string; prefix?: string }) => {
      const c = ctx();
      const client = c.client(AuthServiceDefinition);
      const { items, nextPageToken } = await pages(o.all, o.pageToken, async (pageToken) => {
        const page = await client.listIdTokens(
          {
            pageSize: o.pageSize,
            pageToken,
            status: o.status ?? AuthorizationStatus.AUTHORIZATION_STATUS_UNSPECIFIED,
            groupId: o.group ?? '',
            idTokenPrefix: o.prefix ?? '',
          },
          c.call(),
        );
        return { items: page.tokens, nextPageToken: page.nextPageToken };
      });
      c.out.table(
        authV1.ListIdTokensResponse.toJSON({ tokens: items, nextPageToken }),
        ['id token', 'type', 'status', 'expires', 'group', 'updated'],
        items.map((t) => [t.idToken, t.type, STATUS.name(t.status), t.expireTime, t.groupId, t.updateTime]),
      );
      if (!c.options.json && nextPageToken) c.io.stderr.write(`more: --page-token ${nextPageToken}\n`);
    },
  );

  tokens
    .command('get <idToken>')
    .description('show one id token')
    .action(async (idToken: string) => {
      const c = ctx();
      const { token } = await c.client(AuthServiceDefinition).getIdToken({ idToken }, c.call());
      c.out.record(tokenJson(token), token ? tokenFields(token) : []);
    });

  tokens
    .command('create <idToken>')
    .description('store a new id token')
    .option('--type <type>', '2.0.1 IdTokenEnumType, e.g. ISO14443 (default: any type matches)')
    .option('--status <status>', `${STATUS.choices.join(', ')} (default Accepted)`, STATUS.parse)
    .option('--expires <time>', 'expiry (ISO 8601)')
    .option('--group <id>', 'group id (1.6 parentIdTag, 2.0.1 groupIdToken)')
    .action(
      async (
        idToken: string,
        o: { type?: string; status?: authV1.AuthorizationStatus; expires?: string; group?: string },
      ) => {
        const c = ctx();
        const { token } = await c.client(AuthServiceDefinition).createIdToken(
          {
            idToken,
            type: o.type ?? '',
            status: o.status ?? AuthorizationStatus.AUTHORIZATION_STATUS_UNSPECIFIED,
            expireTime: o.expires !== undefined ? parseDate('--expires', o.expires) : undefined,
            groupId: o.group ?? '',
          },
          c.call(),
        );
        c.out.record(tokenJson(token), token ? tokenFields(token) : []);
      },
    );

  tokens
    .command('update <idToken>')
    .description('change an id token (only the given fields)')
    .option('--type <type>', 'IdTokenEnumType ("" = any type matches)')
    .option('--status <status>', STATUS.choices.join(', '), STATUS.parse)
    .option('--expires <time>', 'new expiry (ISO 8601)')
    .option('--clear-expiry', 'remove the expiry')
    .option('--group <id>', 'group id ("" removes it)')
    .action(
      async (
        idToken: string,
        o: {
          type?: string;
          status?: authV1.AuthorizationStatus;
          expires?: string;
          clearExpiry?: boolean;
          group?: string;
        },
      ) => {
        if (o.expires !== undefined && o.clearExpiry)
          throw new UsageError('--expires and --clear-expiry exclude each other');
        const c = ctx();
        const { token } = await c.client(AuthServiceDefinition).updateIdToken(
          {
            idToken,
            ...(o.type !== undefined ? { type: o.type } : {}),
            ...(o.status !== undefined ? { status: o.status } : {}),
            expireTime: o.expires !== undefined ? parseDate('--expires', o.expires) : undefined,
            clearExpireTime: o.clearExpiry ?? false,
            ...(o.group !== undefined ? { groupId: o.group } : {}),
          },
          c.call(),
        );
        c.out.record(tokenJson(token), token ? tokenFields(token) : []);
      },
    );

  tokens
    .command('delete <idToken>')
    .description('remove an id token')
    .action(async (idToken: string) => {
      const c = ctx();
      await c.client(AuthServiceDefinition).deleteIdToken({ idToken }, c.call());
      c.out.line({ deleted: idToken }, `deleted ${idToken}`);
    });

  tokens
    .command('authorize <idToken>')
    .description('the CSMS decision for a token presented at a station now (what Authorize would answer)')
    .option('--station <id>', 'the station where the token is presented')
    .option('--type <type>', '2.0.1 IdTokenEnumType of the presented token')
    .option('--start', 'for starting a transaction: any active transaction makes it ConcurrentTx')
    .option('--at <time>', 'decide for this moment instead of now (ISO 8601)')
    .action(async (idToken: string, o: { station?: string; type?: string; start?: boolean; at?: string }) => {
      const c = ctx();
      const r = await c.client(AuthServiceDefinition).authorize(
        {
          idToken,
          type: o.type ?? '',
          stationId: o.station ?? '',
          concurrency: o.start
            ? authV1.Concurrency.CONCURRENCY_ANY
            : authV1.Concurrency.CONCURRENCY_UNSPECIFIED,
          time: o.at !== undefined ? parseDate('--at', o.at) : undefined,
        },
        c.call(),
      );
      c.out.record(authV1.AuthorizeResponse.toJSON(r), [
        ['id token', idToken],
        ['status', STATUS.name(r.status)],
        ['expires', r.expireTime],
        ['group', r.groupId],
      ]);
    });

  const stations =
    program.commands.find((cmd) => cmd.name() === 'stations') ??
    program.command('stations').description('the station registry');

  stations
    .command('password <station>')
    .description(
      'give a connected station a new Basic-auth password (generated unless --password; stored only if the station accepts it)',
    )
    .option('--password <password>', 'the new password (1.6: 32-40 hex digits; 2.0.1: 16-40 characters)')
    .action(async (station: string, o: { password?: string }) => {
      const c = ctx();
      const r = await c
        .client(AuthServiceDefinition)
        .rotateStationPassword(
          { stationId: station, ...(o.password !== undefined ? { password: o.password } : {}) },
          c.call(STATION_CALL_MS),
        );
      c.out.record(authV1.RotateStationPasswordResponse.toJSON(r), [
        ['station', station],
        ['station answer', r.stationStatus],
        ['changed', r.changed],
        ['generated password', r.generatedPassword],
      ]);
    });

  stations
    .command('security-profile <station> <profile>')
    .description('store the security profile (0-3) the station must connect with from its next connection')
    .action(async (station: string, profileArg: string) => {
      const profile = parseIntOption('<profile>', 0, 3)(profileArg);
      const c = ctx();
      const r = await c
        .client(AuthServiceDefinition)
        .setStationSecurityProfile({ stationId: station, securityProfile: profile }, c.call());
      c.out.record(authV1.SetStationSecurityProfileResponse.toJSON(r), [
        ['station', station],
        ['security profile', r.securityProfile],
        ['previous', r.previousSecurityProfile],
      ]);
    });

  const localList = program
    .command('local-list')
    .description('local authorization lists kept on the stations (SendLocalList)');

  localList
    .command('send <station> <entries>')
    .description(
      'send a local list update: <entries> is a JSON array of LocalListEntry (proto3 JSON), or {"entries": [...]}, inline, @file or - (stdin)',
    )
    .option('--full', 'the entries replace the whole list')
    .option('--differential', 'the entries are added/updated (with a status) or removed (without)')
    .option(
      '--per-message <n>',
      "split into messages of at most n entries (1-1000): the station's SendLocalListMaxLength (1.6) or LocalAuthListCtrlr.ItemsPerMessage (2.0.1)",
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
        const value = await readJsonArg('entries', entriesArg, c.io);
        const entries = Array.isArray(value) ? { entries: value } : value;
        const request = parseMessage('entries', authV1.SendLocalListRequest, entries);
        if (request.stationId || request.updateType)
          throw new UsageError('entries: give the station and --full/--differential on the command line');
        if (request.maxEntriesPerMessage)
          throw new UsageError('entries: give the split with --per-message on the command line');
        // One station call per message.
        const messages = o.perMessage ? Math.max(1, Math.ceil(request.entries.length / o.perMessage)) : 1;
        const r = await c.client(AuthServiceDefinition).sendLocalList(
          {
            stationId: station,
            updateType: o.full ? UpdateType.UPDATE_TYPE_FULL : UpdateType.UPDATE_TYPE_DIFFERENTIAL,
            entries: request.entries,
            maxEntriesPerMessage: o.perMessage ?? 0,
          },
          c.call(STATION_CALL_MS * messages),
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
        .getLocalListVersion({ stationId: station }, c.call(STATION_CALL_MS));
      c.out.record(authV1.GetLocalListVersionResponse.toJSON(r), [
        ['station', station],
        ['station version', r.stationVersion],
        ['stored version', r.storedVersion],
        ['in sync', r.inSync],
      ]);
    });
}
