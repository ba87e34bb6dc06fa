import type { Command } from 'commander';
import { authV1 } from '@csms/grpc';
import { UsageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { parseIntOption, parseOptionalDate } from '../parse.js';
import { STATION_ANSWER_MS } from '../station-call.js';
import { AUTH_STATUS as STATUS } from './auth-status.js';
import { registerLocalListCommands } from './local-list.js';
import { pages, printPage, withPageOptions, type PageOptions } from './paging.js';

const { AuthServiceDefinition, AuthorizationStatus } = authV1;

type Ctx = () => CliContext;

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

/** One id token as a record (or JSON). */
function printToken(c: CliContext, token: authV1.IdToken | undefined): void {
  c.out.record(token ? authV1.IdToken.toJSON(token) : {}, token ? tokenFields(token) : []);
}

/** `tokens` (id tokens, Authorize), `stations password|security-profile`, `local-list`: csms.auth.v1. */
export function registerAuthCommands(program: Command, ctx: Ctx): void {
  const tokens = program.command('tokens').description('id tokens and authorization decisions (AuthService)');
  addTokensList(tokens, ctx);
  tokens
    .command('get <idToken>')
    .description('show one id token')
    .action(async (idToken: string) => {
      const c = ctx();
      const { token } = await c.client(AuthServiceDefinition).getIdToken({ idToken }, c.call());
      printToken(c, token);
    });
  addTokensCreate(tokens, ctx);
  addTokensUpdate(tokens, ctx);
  tokens
    .command('delete <idToken>')
    .description('remove an id token')
    .action(async (idToken: string) => {
      const c = ctx();
      await c.client(AuthServiceDefinition).deleteIdToken({ idToken }, c.call());
      c.out.line({ deleted: idToken }, `deleted ${idToken}`);
    });
  addTokensAuthorize(tokens, ctx);

  const stations =
    program.commands.find((cmd) => cmd.name() === 'stations') ??
    program.command('stations').description('the station registry');
  addStationPassword(stations, ctx);
  addStationSecurityProfile(stations, ctx);

  registerLocalListCommands(program, ctx);
}

function addTokensList(tokens: Command, ctx: Ctx): void {
  withPageOptions(
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
      printPage(
        c,
        authV1.ListIdTokensResponse.toJSON({ tokens: items, nextPageToken }),
        ['id token', 'type', 'status', 'expires', 'group', 'updated'],
        items.map((t) => [t.idToken, t.type, STATUS.name(t.status), t.expireTime, t.groupId, t.updateTime]),
        nextPageToken,
      );
    },
  );
}

function addTokensCreate(tokens: Command, ctx: Ctx): void {
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
            expireTime: parseOptionalDate('--expires', o.expires),
            groupId: o.group ?? '',
          },
          c.call(),
        );
        printToken(c, token);
      },
    );
}

interface TokenUpdate {
  readonly type?: string;
  readonly status?: authV1.AuthorizationStatus;
  readonly expires?: string;
  readonly clearExpiry?: boolean;
  readonly group?: string;
}

function addTokensUpdate(tokens: Command, ctx: Ctx): void {
  tokens
    .command('update <idToken>')
    .description('change an id token (only the given fields)')
    .option('--type <type>', 'IdTokenEnumType ("" = any type matches)')
    .option('--status <status>', STATUS.choices.join(', '), STATUS.parse)
    .option('--expires <time>', 'new expiry (ISO 8601)')
    .option('--clear-expiry', 'remove the expiry')
    .option('--group <id>', 'group id ("" removes it)')
    .action(async (idToken: string, o: TokenUpdate) => {
      if (o.expires !== undefined && o.clearExpiry)
        throw new UsageError('--expires and --clear-expiry exclude each other');
      const c = ctx();
      const { token } = await c.client(AuthServiceDefinition).updateIdToken(
        {
          idToken,
          ...(o.type !== undefined ? { type: o.type } : {}),
          ...(o.status !== undefined ? { status: o.status } : {}),
          expireTime: parseOptionalDate('--expires', o.expires),
          clearExpireTime: o.clearExpiry ?? false,
          ...(o.group !== undefined ? { groupId: o.group } : {}),
        },
        c.call(),
      );
      printToken(c, token);
    });
}

function addTokensAuthorize(tokens: Command, ctx: Ctx): void {
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
          time: parseOptionalDate('--at', o.at),
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
}

function addStationPassword(stations: Command, ctx: Ctx): void {
  stations
    .command('password <station>')
    .description(
      'give a connected station a new Basic-auth password (generated unless --password; stored only if the station accepts it)',
    )
    .option('--password <password>', 'the new password (1.6: 32-40 hex digits; 2.0.1: 16-40 characters)')
    .action(async (station: string, o: { password?: string }) => {
      const c = ctx();
      // A station's password can take a while: the CSMS waits for the station's answer.
      const r = await c
        .client(AuthServiceDefinition)
        .rotateStationPassword(
          { stationId: station, ...(o.password !== undefined ? { password: o.password } : {}) },
          c.call(STATION_ANSWER_MS),
        );
      c.out.record(authV1.RotateStationPasswordResponse.toJSON(r), [
        ['station', station],
        ['station answer', r.stationStatus],
        ['changed', r.changed],
        ['generated password', r.generatedPassword],
      ]);
    });
}

function addStationSecurityProfile(stations: Command, ctx: Ctx): void {
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
}
