import type { Command } from 'commander';
import { transactionV1 } from '@csms/grpc';
import { UsageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { follow } from '../follow.js';
import { STATION_ANSWER_MS } from '../station-call.js';
import { collect, parseIntOption, parseOptionalDate } from '../parse.js';
import { pages, printPage, withPageOptions, type PageOptions } from './paging.js';
import { EnumChoice } from './proto-json.js';

const { TransactionServiceDefinition, TransactionState } = transactionV1;

type Ctx = () => CliContext;

const STATE = new EnumChoice<transactionV1.TransactionState>(
  '--state',
  TransactionState,
  'TRANSACTION_STATE_',
);

const where = (evse: number | undefined, connector: number | undefined) =>
  evse === undefined && connector === undefined ? '' : `${evse ?? '-'}/${connector ?? '-'}`;

/** Wh charged: from the register readings (2.0.1: of every event, so also while active), else start/stop. */
function energy(t: transactionV1.Transaction): number | undefined {
  if (t.energyWh !== undefined) return t.energyWh;
  return t.meterStartWh !== undefined && t.meterStopWh !== undefined
    ? t.meterStopWh - t.meterStartWh
    : undefined;
}

function transactionFields(t: transactionV1.Transaction): [string, unknown][] {
  return [
    ['id', t.id],
    ['station', t.stationId],
    ['OCPP version', t.ocppVersion],
    ['transaction id', t.transactionId],
    ['evse', t.evseId],
    ['connector', t.connectorId],
    ['id token', t.idToken],
    ['id token type', t.idTokenType],
    ['state', STATE.name(t.state)],
    ['charging state', t.chargingState],
    ['start', t.startTime],
    ['end', t.endTime],
    ['meter start (Wh)', t.meterStartWh],
    ['meter stop (Wh)', t.meterStopWh],
    ['stop reason', t.stopReason],
    ['ended by', t.endedBy],
    ['end note', t.endNote],
    ['last seqNo', t.lastSeqNo],
    ['remote start id', t.remoteStartId],
    ['reservation id', t.reservationId],
    ['created', t.createTime],
    ['updated', t.updateTime],
  ];
}

/** "Energy.Active.Import.Register=1500 Wh, Power.Active.Import=7200 W" from OCPP sampled values. */
function sampled(values: readonly Record<string, unknown>[]): string {
  return values
    .map((v) => {
      const measurand = typeof v.measurand === 'string' ? v.measurand : 'Energy.Active.Import.Register';
      const unitOf = v.unitOfMeasure as { unit?: unknown } | undefined;
      const unit = typeof v.unit === 'string' ? v.unit : typeof unitOf?.unit === 'string' ? unitOf.unit : '';
      const phase = typeof v.phase === 'string' ? `[${v.phase}]` : '';
      return `${measurand}${phase}=${String(v.value)}${unit ? ` ${unit}` : ''}`;
    })
    .join(', ');
}

interface TxRef {
  readonly station?: string;
  readonly transactionId?: string;
}

/** Internal id, or --station + --transaction-id (the OCPP transactionId). */
function reference(
  id: string | undefined,
  o: TxRef,
): { id: string; stationId: string; transactionId: string } {
  if (id !== undefined && (o.station !== undefined || o.transactionId !== undefined))
    throw new UsageError('give either <id> or --station with --transaction-id, not both');
  if (id === undefined && (o.station === undefined || o.transactionId === undefined))
    throw new UsageError('give <id> (the internal id) or --station with --transaction-id');
  return { id: id ?? '', stationId: o.station ?? '', transactionId: o.transactionId ?? '' };
}

/** `transactions list|get|meter-values|events|watch`: csms.transaction.v1. */
export function registerTransactionCommands(program: Command, ctx: Ctx): void {
  const transactions = program
    .command('transactions')
    .description('charging transactions, meter values and live transaction events (TransactionService)');
  addList(transactions, ctx);
  transactions
    .command('get [id]')
    .description('show one transaction with a summary of its meter values and events')
    .option('--station <id>', 'with --transaction-id: the station')
    .option('--transaction-id <id>', "the station's OCPP transactionId")
    .action(async (id: string | undefined, o: TxRef) => {
      const c = ctx();
      const r = await c.client(TransactionServiceDefinition).getTransaction(reference(id, o), c.call());
      const s = r.summary;
      c.out.record(transactionV1.GetTransactionResponse.toJSON(r), [
        ...(r.transaction ? transactionFields(r.transaction) : []),
        ['energy (Wh)', s?.energyWh],
        ['meter values', s?.meterValueCount],
        ['last meter value', s?.lastMeterValueTime],
        ['2.0.1 events', s?.eventCount],
      ]);
    });
  addMeterValues(transactions, ctx);
  addEvents(transactions, ctx);
  addEnd(transactions, ctx);
  transactions
    .command('watch')
    .description('follow live transaction events (started, ended, 2.0.1 events); Ctrl-C to stop')
    .option('--station <id>', 'only this station (repeatable)', collect)
    .option('--count <n>', 'stop after n events', parseIntOption('--count', 1, 1_000_000))
    .action(async (o: { station?: string[]; count?: number }) => {
      const c = ctx();
      await follow(
        c,
        (signal) =>
          c
            .client(TransactionServiceDefinition)
            .streamTransactionEvents({ stationIds: o.station ?? [] }, { signal }),
        (event) => transactionV1.TransactionStationEvent.toJSON(event),
        o.count,
      );
    });
}

interface ListFilters {
  readonly station?: string;
  readonly state?: transactionV1.TransactionState;
  readonly idToken?: string;
  readonly since?: string;
  readonly until?: string;
}

const TRANSACTION_HEAD = [
  'id',
  'station',
  'transaction id',
  'evse/conn',
  'id token',
  'state',
  'start',
  'end',
  'Wh',
  'stop reason',
];

const STOP_STATUS = new EnumChoice<transactionV1.StationStopStatus>(
  '--stop-status',
  transactionV1.StationStopStatus,
  'STATION_STOP_STATUS_',
);

/** `transactions end`: an operator ends a transaction whose stop never arrived (and may tell the station). */
function addEnd(transactions: Command, ctx: Ctx): void {
  transactions
    .command('end [id]')
    .description('end a transaction whose stop never arrived (recorded as ended by the operator)')
    .option('--station <id>', 'with --transaction-id: the station')
    .option('--transaction-id <id>', "the station's OCPP transactionId")
    .requiredOption('--reason <text>', 'why it is ended (kept as its end note)')
    .option(
      '--stop-at-station',
      'also ask the station to stop it (RemoteStopTransaction / RequestStopTransaction)',
      false,
    )
    .action(async (id: string | undefined, o: TxRef & { reason: string; stopAtStation: boolean }) => {
      const c = ctx();
      const client = c.client(TransactionServiceDefinition);
      let ref = reference(id, o);
      if (id !== undefined) {
        const { transaction } = await client.getTransaction(ref, c.call());
        ref = {
          id,
          stationId: transaction?.stationId ?? '',
          transactionId: transaction?.transactionId ?? '',
        };
      }
      const r = await client.endTransaction(
        {
          stationId: ref.stationId,
          transactionId: ref.transactionId,
          reason: o.reason,
          stopAtStation: o.stopAtStation,
        },
        // Asking the station waits for its answer.
        o.stopAtStation ? c.call(STATION_ANSWER_MS) : c.call(),
      );
      c.out.record(transactionV1.EndTransactionResponse.toJSON(r), [
        ...(r.transaction ? transactionFields(r.transaction) : []),
        ['station stop', o.stopAtStation ? STOP_STATUS.name(r.stationStopStatus) : 'not asked'],
        ['station stop detail', r.stationStopDetail || undefined],
      ]);
    });
}

function addList(transactions: Command, ctx: Ctx): void {
  withPageOptions(
    transactions
      .command('list')
      .description('list transactions, newest first')
      .option('--station <id>', "only this station's transactions")
      .option('--state <state>', `only ${STATE.choices.join(' or ')} transactions`, STATE.parse)
      .option('--id-token <token>', 'only transactions started with this id token')
      .option('--since <time>', 'only transactions started at or after this time (ISO 8601)')
      .option('--until <time>', 'only transactions started before this time (ISO 8601)'),
  ).action(async (o: PageOptions & ListFilters) => {
    const c = ctx();
    const startedAfter = parseOptionalDate('--since', o.since);
    const startedBefore = parseOptionalDate('--until', o.until);
    const client = c.client(TransactionServiceDefinition);
    const { items, nextPageToken } = await pages(o.all, o.pageToken, async (pageToken) => {
      const page = await client.listTransactions(
        {
          pageSize: o.pageSize,
          pageToken,
          stationId: o.station ?? '',
          state: o.state ?? TransactionState.TRANSACTION_STATE_UNSPECIFIED,
          idToken: o.idToken ?? '',
          startedAfter,
          startedBefore,
        },
        c.call(),
      );
      return { items: page.transactions, nextPageToken: page.nextPageToken };
    });
    printPage(
      c,
      transactionV1.ListTransactionsResponse.toJSON({ transactions: items, nextPageToken }),
      TRANSACTION_HEAD,
      items.map((t) => [
        t.id,
        t.stationId,
        t.transactionId,
        where(t.evseId, t.connectorId),
        t.idToken,
        STATE.name(t.state),
        t.startTime,
        t.endTime,
        energy(t),
        t.stopReason,
      ]),
      nextPageToken,
    );
  });
}

function addMeterValues(transactions: Command, ctx: Ctx): void {
  withPageOptions(
    transactions
      .command('meter-values [id]')
      .description(
        'meter values of a transaction (internal id) or of a station (--station), in received order',
      )
      .option('--station <id>', "the station's values (with or without transaction)")
      .option('--since <time>', 'only sample sets timed at or after this time (ISO 8601)')
      .option('--until <time>', 'only sample sets timed before this time (ISO 8601)'),
  ).action(
    async (id: string | undefined, o: PageOptions & { station?: string; since?: string; until?: string }) => {
      if (id === undefined && o.station === undefined)
        throw new UsageError('give a transaction <id> or --station');
      const c = ctx();
      const startTime = parseOptionalDate('--since', o.since);
      const endTime = parseOptionalDate('--until', o.until);
      const client = c.client(TransactionServiceDefinition);
      const { items, nextPageToken } = await pages(o.all, o.pageToken, async (pageToken) => {
        const page = await client.listMeterValues(
          {
            pageSize: o.pageSize,
            pageToken,
            transactionId: id ?? '',
            stationId: o.station ?? '',
            startTime,
            endTime,
          },
          c.call(),
        );
        return { items: page.meterValues, nextPageToken: page.nextPageToken };
      });
      printPage(
        c,
        transactionV1.ListMeterValuesResponse.toJSON({ meterValues: items, nextPageToken }),
        ['time', 'station', 'transaction', 'evse/conn', 'source', 'values'],
        items.map((m) => [
          m.time,
          m.stationId,
          m.transactionId,
          where(m.evseId, m.connectorId),
          m.source,
          sampled(m.sampledValues as Record<string, unknown>[]),
        ]),
        nextPageToken,
      );
    },
  );
}

function addEvents(transactions: Command, ctx: Ctx): void {
  withPageOptions(
    transactions
      .command('events [id]')
      .description('the OCPP 2.0.1 TransactionEvent messages of a transaction, in seqNo order')
      .option('--station <id>', 'with --transaction-id: the station')
      .option('--transaction-id <id>', "the station's OCPP transactionId"),
  ).action(async (id: string | undefined, o: PageOptions & TxRef) => {
    const ref = reference(id, o);
    const c = ctx();
    const client = c.client(TransactionServiceDefinition);
    const { items, nextPageToken } = await pages(o.all, o.pageToken, async (pageToken) => {
      const page = await client.listTransactionEvents({ ...ref, pageSize: o.pageSize, pageToken }, c.call());
      return { items: page.events, nextPageToken: page.nextPageToken };
    });
    printPage(
      c,
      transactionV1.ListTransactionEventsResponse.toJSON({ events: items, nextPageToken }),
      ['seqNo', 'time', 'event', 'trigger', 'charging state', 'offline', 'received'],
      items.map((e) => {
        const info = (e.payload?.transactionInfo ?? {}) as { chargingState?: unknown };
        return [
          e.seqNo,
          e.time,
          e.eventType,
          e.triggerReason,
          typeof info.chargingState === 'string' ? info.chargingState : '',
          e.offline,
          e.receiveTime,
        ];
      }),
      nextPageToken,
    );
  });
}
