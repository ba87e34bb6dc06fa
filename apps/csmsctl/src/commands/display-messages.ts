import type { Command } from 'commander';
import { displayMessageV1 } from '@csms/grpc';
import type { CliContext } from '../context.js';
import { parseDate, parseIntOption } from '../parse.js';
import { STATION_ANSWER_MS } from '../station-call.js';
import { pages, printPage, withPageOptions, type PageOptions } from './paging.js';
import { EnumChoice } from './proto-json.js';

const { DisplayMessageServiceDefinition, MessagePriority, MessageState, MessageFormat } = displayMessageV1;

const PRIORITY = new EnumChoice<displayMessageV1.MessagePriority>(
  '--priority',
  MessagePriority,
  'MESSAGE_PRIORITY_',
);
const STATE = new EnumChoice<displayMessageV1.MessageState>('--state', MessageState, 'MESSAGE_STATE_');
const FORMAT = new EnumChoice<displayMessageV1.MessageFormat>('--format', MessageFormat, 'MESSAGE_FORMAT_');
const SET_STATUS = new EnumChoice<displayMessageV1.SetDisplayMessageStatus>(
  'status',
  displayMessageV1.SetDisplayMessageStatus,
  'SET_DISPLAY_MESSAGE_STATUS_',
);
const CLEAR_STATUS = new EnumChoice<displayMessageV1.ClearDisplayMessageStatus>(
  'status',
  displayMessageV1.ClearDisplayMessageStatus,
  'CLEAR_DISPLAY_MESSAGE_STATUS_',
);
const GET_STATUS = new EnumChoice<displayMessageV1.GetDisplayMessagesStatus>(
  'status',
  displayMessageV1.GetDisplayMessagesStatus,
  'GET_DISPLAY_MESSAGES_STATUS_',
);

type Ctx = () => CliContext;
const messageId = parseIntOption('message id', 0, 2_147_483_647);
const collectIds = (value: string, previous: number[] = []) => [
  ...previous,
  parseIntOption('--id', 0, 2_147_483_647)(value),
];

/** `messages set|list|refresh|clear`: display messages of OCPP 2.0.1 stations (DisplayMessageService). */
export function registerDisplayMessageCommands(program: Command, ctx: Ctx): void {
  const messages = program
    .command('messages')
    .description(
      'display messages of 2.0.1 stations: set, list the catalogue, refresh from the station, clear',
    );
  addSet(messages, ctx);
  addList(messages, ctx);
  addRefresh(messages, ctx);
  addClear(messages, ctx);
}

const rowOf = (m: displayMessageV1.CatalogueMessage) => [
  m.message?.id,
  PRIORITY.name(m.message?.priority),
  STATE.name(m.message?.state),
  FORMAT.name(m.message?.message?.format),
  m.message?.message?.language,
  m.message?.message?.content,
  m.message?.startDateTime,
  m.message?.endDateTime,
  m.message?.transactionId,
  m.requestId,
];
const HEAD = [
  'id',
  'priority',
  'state',
  'format',
  'language',
  'content',
  'start',
  'end',
  'transaction',
  'report',
];

interface SetOptions {
  priority: displayMessageV1.MessagePriority;
  format: displayMessageV1.MessageFormat;
  state?: displayMessageV1.MessageState;
  language?: string;
  start?: Date;
  end?: Date;
  transaction?: string;
  display?: string;
  displayEvse?: number;
}

function addSet(messages: Command, ctx: Ctx): void {
  messages
    .command('set <station> <id> <content>')
    .description('send SetDisplayMessage; the CSMS stores the message when the station accepts it')
    .option(
      '--priority <p>',
      PRIORITY.choices.join(', '),
      PRIORITY.parse,
      MessagePriority.MESSAGE_PRIORITY_NORMAL_CYCLE,
    )
    .option('--format <f>', FORMAT.choices.join(', '), FORMAT.parse, MessageFormat.MESSAGE_FORMAT_UTF8)
    .option('--state <s>', `shown only in this state: ${STATE.choices.join(', ')}`, STATE.parse)
    .option('--language <tag>', 'RFC 5646 language tag, e.g. en-US')
    .option('--start <time>', 'not shown before (ISO 8601)', (v) => parseDate('--start', v))
    .option('--end <time>', 'removed after (ISO 8601)', (v) => parseDate('--end', v))
    .option('--transaction <id>', 'shown during this transaction only')
    .option('--display <component>', 'the display component name')
    .option(
      '--display-evse <n>',
      'the EVSE of the display component',
      parseIntOption('--display-evse', 0, 2_147_483_647),
    )
    .action(async (station: string, idArg: string, content: string, o: SetOptions) => {
      const c = ctx();
      const message: displayMessageV1.DisplayMessage = {
        id: messageId(idArg),
        priority: o.priority,
        state: o.state ?? MessageState.MESSAGE_STATE_UNSPECIFIED,
        startDateTime: o.start,
        endDateTime: o.end,
        transactionId: o.transaction ?? '',
        message: { format: o.format, language: o.language ?? '', content },
        display:
          o.display !== undefined
            ? { name: o.display, instance: '', evseId: o.displayEvse, connectorId: undefined }
            : undefined,
      };
      const r = await c
        .client(DisplayMessageServiceDefinition)
        .setDisplayMessage({ stationId: station, message }, c.call(STATION_ANSWER_MS));
      const reason = r.statusReason ? ` (${r.statusReason})` : '';
      c.out.line(
        displayMessageV1.SetDisplayMessageResponse.toJSON(r),
        `${SET_STATUS.name(r.status)}${reason}`,
      );
    });
}

interface FilterOptions {
  id?: number[];
  priority?: displayMessageV1.MessagePriority;
  state?: displayMessageV1.MessageState;
}

const filterOptions = (command: Command) =>
  command
    .option('--id <n>', 'only this message id (repeatable)', collectIds)
    .option('--priority <p>', PRIORITY.choices.join(', '), PRIORITY.parse)
    .option('--state <s>', STATE.choices.join(', '), STATE.parse);

const filterOf = (o: FilterOptions) => ({
  ids: o.id ?? [],
  priority: o.priority ?? MessagePriority.MESSAGE_PRIORITY_UNSPECIFIED,
  state: o.state ?? MessageState.MESSAGE_STATE_UNSPECIFIED,
});

function addList(messages: Command, ctx: Ctx): void {
  withPageOptions(
    filterOptions(
      messages
        .command('list <station>')
        .description("the station's display messages as the CSMS knows them; does not ask the station"),
    ).option('--transaction <id>', 'only the messages of this transaction'),
    'messages',
  ).action(async (station: string, o: PageOptions & FilterOptions & { transaction?: string }) => {
    const c = ctx();
    const client = c.client(DisplayMessageServiceDefinition);
    const { items, nextPageToken } = await pages(o.all, o.pageToken, async (pageToken) => {
      const page = await client.listDisplayMessages(
        {
          stationId: station,
          ...filterOf(o),
          transactionId: o.transaction ?? '',
          pageSize: o.pageSize,
          pageToken,
        },
        c.call(),
      );
      return { items: page.messages, nextPageToken: page.nextPageToken };
    });
    printPage(
      c,
      displayMessageV1.ListDisplayMessagesResponse.toJSON({ messages: items, nextPageToken }),
      HEAD,
      items.map(rowOf),
      nextPageToken,
    );
  });
}

function addRefresh(messages: Command, ctx: Ctx): void {
  filterOptions(
    messages
      .command('refresh <station>')
      .description(
        'ask the station for its display messages (GetDisplayMessages) and reconcile the catalogue',
      ),
  )
    .option(
      '--wait <s>',
      'seconds to wait for the last part (0-120, default 30)',
      parseIntOption('--wait', 0, 120),
    )
    .action(async (station: string, o: FilterOptions & { wait?: number }) => {
      const c = ctx();
      const r = await c
        .client(DisplayMessageServiceDefinition)
        .refreshDisplayMessages(
          { stationId: station, ...filterOf(o), reportWaitSeconds: o.wait },
          c.call(STATION_ANSWER_MS + (o.wait ?? 30) * 1000),
        );
      c.out.table(displayMessageV1.RefreshDisplayMessagesResponse.toJSON(r), HEAD, r.messages.map(rowOf));
      if (!c.options.json)
        c.io.stderr.write(
          `request ${r.requestId}: ${GET_STATUS.name(r.status)}${r.complete ? '' : ' (incomplete: the station did not finish in time)'}\n`,
        );
    });
}

function addClear(messages: Command, ctx: Ctx): void {
  messages
    .command('clear <station> <id>')
    .description('send ClearDisplayMessage; the CSMS forgets the message when the station accepts')
    .action(async (station: string, idArg: string) => {
      const c = ctx();
      const r = await c
        .client(DisplayMessageServiceDefinition)
        .clearDisplayMessage({ stationId: station, id: messageId(idArg) }, c.call(STATION_ANSWER_MS));
      c.out.line(displayMessageV1.ClearDisplayMessageResponse.toJSON(r), CLEAR_STATUS.name(r.status));
    });
}
