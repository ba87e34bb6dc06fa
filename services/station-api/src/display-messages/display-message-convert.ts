import type { DisplayMessageFilter, DisplayMessageRow } from '@csms/db';
import { RequestViolations, displayMessageV1 as api } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { apiEnum, ocpp } from './display-message-enums.js';

// Field limits of the OCPP 2.0.1 schema (MessageInfoType, MessageContentType, ComponentType).
const CONTENT_MAX = 512;
const LANGUAGE_MAX = 8;
const TRANSACTION_ID_MAX = 36;
const COMPONENT_NAME_MAX = 50;
const INT32_MAX = 2_147_483_647;

const isId = (n: number) => Number.isInteger(n) && n >= 0 && n <= INT32_MAX;

/**
 * The OCPP 2.0.1 MessageInfoType of an API message, or INVALID_ARGUMENT listing every violation: unknown or missing
 * priority / state / format, over-long fields, end_date_time not after start_date_time (with those already in `v`).
 */
export function toMessageInfo(
  message: api.DisplayMessage | undefined,
  v: RequestViolations = new RequestViolations(),
): V201.MessageInfoType {
  if (message === undefined) {
    v.add('message', 'required');
    v.throwIfAny('invalid display message');
  }
  const m = message!;
  const priority = ocpp.priority(m.priority);
  const state = ocpp.state(m.state);
  const format = ocpp.format(m.message?.format ?? 0);
  v.check(isId(m.id), 'message.id', 'must be between 0 and 2147483647');
  v.check(priority !== undefined, 'message.priority', 'required: ALWAYS_FRONT, IN_FRONT or NORMAL_CYCLE');
  v.check(
    state !== undefined || m.state === api.MessageState.MESSAGE_STATE_UNSPECIFIED,
    'message.state',
    'unknown value',
  );
  if (m.message === undefined) v.add('message.message', 'required');
  else {
    v.check(format !== undefined, 'message.message.format', 'required: ASCII, HTML, URI or UTF8');
    v.check(
      m.message.content.length <= CONTENT_MAX,
      'message.message.content',
      `at most ${CONTENT_MAX} characters`,
    );
    v.check(
      m.message.language.length <= LANGUAGE_MAX,
      'message.message.language',
      `at most ${LANGUAGE_MAX} characters (RFC 5646)`,
    );
  }
  v.check(
    m.transactionId.length <= TRANSACTION_ID_MAX,
    'message.transaction_id',
    `at most ${TRANSACTION_ID_MAX} characters`,
  );
  if (m.startDateTime && m.endDateTime)
    v.check(m.endDateTime > m.startDateTime, 'message.end_date_time', 'must be after start_date_time');
  if (m.display) checkDisplay(v, m.display);
  v.throwIfAny('invalid display message');
  return {
    id: m.id,
    priority: priority!,
    ...(state !== undefined ? { state } : {}),
    ...(m.startDateTime ? { startDateTime: m.startDateTime.toISOString() } : {}),
    ...(m.endDateTime ? { endDateTime: m.endDateTime.toISOString() } : {}),
    ...(m.transactionId !== '' ? { transactionId: m.transactionId } : {}),
    message: {
      format: format!,
      ...(m.message!.language !== '' ? { language: m.message!.language } : {}),
      content: m.message!.content,
    },
    ...(m.display ? { display: toComponent(m.display) } : {}),
  };
}

function checkDisplay(v: RequestViolations, d: api.DisplayComponent): void {
  v.check(
    d.name.length >= 1 && d.name.length <= COMPONENT_NAME_MAX,
    'message.display.name',
    `1 to ${COMPONENT_NAME_MAX} characters`,
  );
  v.check(
    d.instance.length <= COMPONENT_NAME_MAX,
    'message.display.instance',
    `at most ${COMPONENT_NAME_MAX} characters`,
  );
  if (d.evseId !== undefined) v.check(isId(d.evseId), 'message.display.evse_id', 'must be >= 0');
  if (d.connectorId !== undefined) {
    v.check(isId(d.connectorId), 'message.display.connector_id', 'must be >= 0');
    v.check(d.evseId !== undefined, 'message.display.connector_id', 'only with evse_id');
  }
}

function toComponent(d: api.DisplayComponent): V201.ComponentType {
  return {
    name: d.name,
    ...(d.instance !== '' ? { instance: d.instance } : {}),
    ...(d.evseId !== undefined
      ? { evse: { id: d.evseId, ...(d.connectorId !== undefined ? { connectorId: d.connectorId } : {}) } }
      : {}),
  };
}

/** A catalogue row as the API returns it. */
export function toCatalogueMessage(row: DisplayMessageRow): api.CatalogueMessage {
  const display = row.display as V201.ComponentType | null;
  return {
    message: {
      id: row.message_id,
      priority: apiEnum.priority(row.priority),
      state: apiEnum.state(row.state),
      startDateTime: row.start_date_time ?? undefined,
      endDateTime: row.end_date_time ?? undefined,
      transactionId: row.transaction_id ?? '',
      message: { format: apiEnum.format(row.format), language: row.language ?? '', content: row.content },
      display: display
        ? {
            name: display.name,
            instance: display.instance ?? '',
            evseId: display.evse?.id,
            connectorId: display.evse?.connectorId,
          }
        : undefined,
    },
    requestId: row.request_id ?? undefined,
    confirmTime: row.confirmed_at,
  };
}

/** The catalogue filter of a request with ids, priority and state (and transaction_id when it has one). */
export function filterOf(
  v: RequestViolations,
  request: Pick<api.ListDisplayMessagesRequest, 'ids' | 'priority' | 'state'> & { transactionId?: string },
): DisplayMessageFilter {
  request.ids.forEach((id, i) => v.check(id >= 0, `ids[${i}]`, 'must be >= 0'));
  const priority = ocpp.priority(request.priority);
  const state = ocpp.state(request.state);
  v.check(
    priority !== undefined || request.priority === api.MessagePriority.MESSAGE_PRIORITY_UNSPECIFIED,
    'priority',
    'unknown value',
  );
  v.check(
    state !== undefined || request.state === api.MessageState.MESSAGE_STATE_UNSPECIFIED,
    'state',
    'unknown value',
  );
  return {
    ...(request.ids.length > 0 ? { ids: request.ids } : {}),
    ...(priority !== undefined ? { priority } : {}),
    ...(state !== undefined ? { state } : {}),
    ...(request.transactionId ? { transactionId: request.transactionId } : {}),
  };
}
