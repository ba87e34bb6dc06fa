import type { Command } from 'commander';
import { tariffV1 } from '@csms/grpc';
import { UsageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { collect, parseIntOption } from '../parse.js';
import { pages, printPage, withPageOptions, type PageOptions } from './paging.js';

const { TariffServiceDefinition } = tariffV1;

type Ctx = () => CliContext;

/** A decimal flag (prices, the tax rate): a finite number; the API checks the ranges. */
function parseDecimal(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n))
      throw new UsageError(`${name} must be a number, got "${value}"`);
    return n;
  };
}

/** `--text-lang nl=Tekst` items → a language → text map. */
function textsOf(items: readonly string[] | undefined): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const item of items ?? []) {
    const at = item.indexOf('=');
    if (at <= 0) throw new UsageError(`--text-lang must be <language>=<text>, got "${item}"`);
    texts[item.slice(0, at)] = item.slice(at + 1);
  }
  return texts;
}

interface PriceOptions {
  readonly currency?: string;
  readonly perKwh?: number;
  readonly perHour?: number;
  readonly flatFee?: number;
  readonly tax?: number;
  readonly text?: string;
  readonly textLang?: string[];
}

function withPriceOptions(command: Command): Command {
  return command
    .option('--currency <code>', 'ISO 4217 currency code, e.g. EUR')
    .option('--per-kwh <price>', 'price per kWh (excluding tax)', parseDecimal('--per-kwh'))
    .option(
      '--per-hour <price>',
      'price per hour of charging time (excluding tax)',
      parseDecimal('--per-hour'),
    )
    .option('--flat-fee <price>', 'flat fee per transaction (excluding tax)', parseDecimal('--flat-fee'))
    .option('--tax <percent>', 'tax rate, 0-100', parseDecimal('--tax'))
    .option('--text <text>', 'the text shown to the driver (Authorize personalMessage)')
    .option('--text-lang <language=text>', 'the text in a language (repeatable)', collect);
}

function printTariff(c: CliContext, t: tariffV1.Tariff | undefined): void {
  c.out.record(t ? tariffV1.Tariff.toJSON(t) : {}, [
    ['tariff', t?.tariffId],
    ['currency', t?.currency],
    ['per kWh', t?.pricePerKwh],
    ['per hour', t?.pricePerHour],
    ['flat fee', t?.flatFee],
    ['tax %', t?.taxRatePercent],
    ['text', t?.displayText],
    ['scope', t ? scopeOf(t) : undefined],
  ]);
}

function scopeOf(t: tariffV1.Tariff): string {
  if (t.idTokenGroup !== '') return `group ${t.idTokenGroup}`;
  if (t.stationId === '') return 'default';
  return t.evseId !== undefined ? `${t.stationId} EVSE ${t.evseId}` : t.stationId;
}

/** `tariffs create|update|delete|get|list|cost` (csms.tariff.v1). */
export function registerTariffCommands(program: Command, ctx: Ctx): void {
  const tariffs = program
    .command('tariffs')
    .description(
      'tariffs and transaction costs (OCPP 2.0.1 tariff and cost: personalMessage, totalCost, CostUpdated)',
    );
  withPriceOptions(
    tariffs
      .command('create <tariff-id>')
      .description('create a tariff (default scope: every station)')
      .option('--station <id>', 'only for this station')
      .option('--evse <id>', 'only for this EVSE of --station', parseIntOption('--evse', 1, 2_147_483_647))
      .option('--group <id-token-group>', 'only for the id tokens of this group'),
  ).action(async (id: string, o: PriceOptions & { station?: string; evse?: number; group?: string }) => {
    if (o.currency === undefined || o.text === undefined)
      throw new UsageError('create needs --currency and --text');
    const c = ctx();
    const { tariff } = await c.client(TariffServiceDefinition).createTariff(
      {
        tariff: {
          tariffId: id,
          currency: o.currency,
          pricePerKwh: o.perKwh ?? 0,
          pricePerHour: o.perHour ?? 0,
          flatFee: o.flatFee ?? 0,
          taxRatePercent: o.tax ?? 0,
          displayText: o.text,
          displayTexts: textsOf(o.textLang),
          stationId: o.station ?? '',
          ...(o.evse !== undefined ? { evseId: o.evse } : {}),
          idTokenGroup: o.group ?? '',
        },
      },
      c.call(),
    );
    printTariff(c, tariff);
  });
  withPriceOptions(
    tariffs.command('update <tariff-id>').description("change a tariff's prices or texts (not its scope)"),
  ).action(async (id: string, o: PriceOptions) => {
    const c = ctx();
    const { tariff } = await c.client(TariffServiceDefinition).updateTariff(
      {
        tariffId: id,
        ...(o.currency !== undefined ? { currency: o.currency } : {}),
        ...(o.perKwh !== undefined ? { pricePerKwh: o.perKwh } : {}),
        ...(o.perHour !== undefined ? { pricePerHour: o.perHour } : {}),
        ...(o.flatFee !== undefined ? { flatFee: o.flatFee } : {}),
        ...(o.tax !== undefined ? { taxRatePercent: o.tax } : {}),
        ...(o.text !== undefined ? { displayText: o.text } : {}),
        displayTexts: textsOf(o.textLang),
        replaceDisplayTexts: o.textLang !== undefined,
      },
      c.call(),
    );
    printTariff(c, tariff);
  });
  tariffs
    .command('delete <tariff-id>')
    .description('delete a tariff')
    .action(async (id: string) => {
      const c = ctx();
      await c.client(TariffServiceDefinition).deleteTariff({ tariffId: id }, c.call());
      c.out.line({ tariffId: id, deleted: true }, `tariff ${id} deleted`);
    });
  tariffs
    .command('get <tariff-id>')
    .description('show a tariff')
    .action(async (id: string) => {
      const c = ctx();
      const { tariff } = await c.client(TariffServiceDefinition).getTariff({ tariffId: id }, c.call());
      printTariff(c, tariff);
    });
  registerList(tariffs, ctx);
  registerCost(tariffs, ctx);
}

function registerList(tariffs: Command, ctx: Ctx): void {
  withPageOptions(
    tariffs.command('list').description('list tariffs by id').option('--station <id>', "only this station's"),
  ).action(async (o: PageOptions & { station?: string }) => {
    const c = ctx();
    const client = c.client(TariffServiceDefinition);
    const { items, nextPageToken } = await pages(o.all, o.pageToken, async (pageToken) => {
      const page = await client.listTariffs(
        { stationId: o.station ?? '', pageSize: o.pageSize, pageToken },
        c.call(),
      );
      return { items: page.tariffs, nextPageToken: page.nextPageToken };
    });
    printPage(
      c,
      tariffV1.ListTariffsResponse.toJSON({ tariffs: items, nextPageToken }),
      ['tariff', 'scope', 'currency', 'per kWh', 'per hour', 'flat fee', 'tax %'],
      items.map((t) => [
        t.tariffId,
        scopeOf(t),
        t.currency,
        t.pricePerKwh,
        t.pricePerHour,
        t.flatFee,
        t.taxRatePercent,
      ]),
      nextPageToken,
    );
  });
}

function registerCost(tariffs: Command, ctx: Ctx): void {
  tariffs
    .command('cost [station] [transaction-id]')
    .description("a transaction's cost (the stored final cost once it ended, else the running cost)")
    .option('--id <internal-id>', 'the internal transaction id instead of station and transaction id')
    .action(async (station: string | undefined, transactionId: string | undefined, o: { id?: string }) => {
      if (o.id === undefined && (station === undefined || transactionId === undefined))
        throw new UsageError('give <station> <transaction-id>, or --id');
      const c = ctx();
      const r = await c
        .client(TariffServiceDefinition)
        .getTransactionCost(
          { id: o.id ?? '', stationId: station ?? '', transactionId: transactionId ?? '' },
          c.call(),
        );
      c.out.record(tariffV1.GetTransactionCostResponse.toJSON(r), [
        ['tariff', r.tariffId],
        ['energy (Wh)', r.energyWh],
        ['duration (s)', r.durationSeconds],
        ['subtotal', `${r.subtotal} ${r.currency}`],
        ['tax', `${r.tax} ${r.currency}`],
        ['total', `${r.total} ${r.currency}`],
        ['final', r.final ? 'yes' : 'no (running)'],
      ]);
    });
}
