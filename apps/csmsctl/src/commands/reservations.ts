import type { Command } from 'commander';
import { reservationV1 } from '@csms/grpc';
import { UsageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { parseDate, parseIntOption } from '../parse.js';
import { STATION_ANSWER_MS } from '../station-call.js';
import { pages, printPage, withPageOptions, type PageOptions } from './paging.js';
import { EnumChoice } from './proto-json.js';

const { ReservationServiceDefinition, ReservationStatus } = reservationV1;

/** A reservation's status: `--status` and the tables. */
const STATUS = new EnumChoice<reservationV1.ReservationStatus>(
  '--status',
  ReservationStatus,
  'RESERVATION_STATUS_',
);

const INT32_MAX = 2_147_483_647;
const reservationIdOf = parseIntOption('<reservation-id>', 0, INT32_MAX);

type Ctx = () => CliContext;

interface ReserveOptions {
  readonly idToken: string;
  readonly expires?: string;
  readonly minutes?: number;
  readonly evse?: number;
  readonly connectorType?: string;
  readonly tokenType?: string;
  readonly group?: string;
  readonly groupType?: string;
}

/** `reservations reserve|cancel|get|list` (csms.reservation.v1). */
export function registerReservationCommands(program: Command, ctx: Ctx): void {
  const reservations = program
    .command('reservations')
    .description('reservations of EVSEs / connectors for an id token (ReserveNow, CancelReservation)');
  reservations
    .command('reserve <station> <reservation-id>')
    .description('send ReserveNow; the CSMS keeps the reservation when the station accepts it')
    .requiredOption('--id-token <token>', 'the id token (1.6 idTag) the reservation is for')
    .option('--expires <date-time>', 'when it expires (ISO 8601)')
    .option('--minutes <n>', 'expires in n minutes (default 30)', parseIntOption('--minutes', 1, 525_600))
    .option(
      '--evse <id>',
      'the EVSE (1.6: connector) to reserve; absent or 0: any',
      parseIntOption('--evse', 0, INT32_MAX),
    )
    .option('--connector-type <type>', 'OCPP 2.0.1: the connector type to reserve (e.g. cType2)')
    .option('--token-type <type>', 'OCPP 2.0.1 IdTokenType.type (default ISO14443)')
    .option('--group <token>', 'group id token (2.0.1 groupIdToken, 1.6 parentIdTag)')
    .option('--group-type <type>', 'OCPP 2.0.1 groupIdToken type (default Central)')
    .action(async (station: string, id: string, o: ReserveOptions) => {
      if (o.expires !== undefined && o.minutes !== undefined)
        throw new UsageError('give --expires or --minutes, not both');
      const expireTime =
        o.expires !== undefined
          ? parseDate('--expires', o.expires)
          : new Date(Date.now() + (o.minutes ?? 30) * 60_000);
      const c = ctx();
      const r = await c.client(ReservationServiceDefinition).reserveNow(
        {
          stationId: station,
          reservationId: reservationIdOf(id),
          ...(o.evse !== undefined ? { evseId: o.evse } : {}),
          connectorType: o.connectorType ?? '',
          idToken: o.idToken,
          idTokenType: o.tokenType ?? '',
          groupIdToken: o.group ?? '',
          groupIdTokenType: o.groupType ?? '',
          expireTime,
        },
        c.call(STATION_ANSWER_MS),
      );
      c.out.record(reservationV1.ReserveNowResponse.toJSON(r), [
        ['station', station],
        ['station answer', r.status],
        ['expires', r.reservation?.expireTime],
      ]);
    });
  reservations
    .command('cancel <station> <reservation-id>')
    .description('send CancelReservation; the reservation is cancelled when the station accepts')
    .action(async (station: string, id: string) => {
      const c = ctx();
      const r = await c
        .client(ReservationServiceDefinition)
        .cancelReservation(
          { stationId: station, reservationId: reservationIdOf(id) },
          c.call(STATION_ANSWER_MS),
        );
      c.out.record(reservationV1.CancelReservationResponse.toJSON(r), [
        ['station', station],
        ['station answer', r.status],
        ['status', r.reservation ? STATUS.name(r.reservation.status) : undefined],
      ]);
    });
  registerGet(reservations, ctx);
  registerList(reservations, ctx);
}

function registerGet(reservations: Command, ctx: Ctx): void {
  reservations
    .command('get <station> <reservation-id>')
    .description("a station's reservation (the active one, else the latest ended one)")
    .action(async (station: string, id: string) => {
      const c = ctx();
      const { reservation } = await c
        .client(ReservationServiceDefinition)
        .getReservation({ stationId: station, reservationId: reservationIdOf(id) }, c.call());
      const x = reservation;
      c.out.record(x ? reservationV1.Reservation.toJSON(x) : {}, [
        ['station', x?.stationId],
        ['reservation', x?.reservationId],
        ['status', x ? STATUS.name(x.status) : undefined],
        ['evse', x?.evseId ?? 'any'],
        ['id token', x?.idToken],
        ['group', x?.groupIdToken || undefined],
        ['expires', x?.expireTime],
        ['transaction', x?.transactionId || undefined],
        ['ended', x?.endTime],
      ]);
    });
}

function registerList(reservations: Command, ctx: Ctx): void {
  withPageOptions(
    reservations
      .command('list')
      .description('list reservations, newest first')
      .option('--station <id>', "only this station's")
      .option('--status <status>', `only this status: ${STATUS.choices.join(', ')}`, STATUS.parse)
      .option('--id-token <token>', "only this id token's"),
  ).action(
    async (
      o: PageOptions & { station?: string; status?: reservationV1.ReservationStatus; idToken?: string },
    ) => {
      const c = ctx();
      const client = c.client(ReservationServiceDefinition);
      const { items, nextPageToken } = await pages(o.all, o.pageToken, async (pageToken) => {
        const page = await client.listReservations(
          {
            stationId: o.station ?? '',
            status: o.status ?? ReservationStatus.RESERVATION_STATUS_UNSPECIFIED,
            idToken: o.idToken ?? '',
            pageSize: o.pageSize,
            pageToken,
          },
          c.call(),
        );
        return { items: page.reservations, nextPageToken: page.nextPageToken };
      });
      printPage(
        c,
        reservationV1.ListReservationsResponse.toJSON({ reservations: items, nextPageToken }),
        ['station', 'reservation', 'status', 'evse', 'id token', 'expires', 'transaction'],
        items.map((x) => [
          x.stationId,
          x.reservationId,
          STATUS.name(x.status),
          x.evseId ?? 'any',
          x.idToken,
          x.expireTime,
          x.transactionId,
        ]),
        nextPageToken,
      );
    },
  );
}
