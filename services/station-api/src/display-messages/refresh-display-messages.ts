import { randomInt } from 'node:crypto';
import {
  findDisplayMessageRequest,
  listDisplayMessages,
  recordDisplayMessagesAnswer,
  startDisplayMessageRequest,
  type DisplayMessageFilter,
} from '@csms/db';
import {
  RequestViolations,
  abortable,
  pollUntil,
  type displayMessageV1 as api,
  type CallContext,
} from '@csms/grpc';
import { INT32_MAX, type V201 } from '@csms/ocpp';
import type { StationServiceDeps } from '../deps.js';
import { filterOf, toCatalogueMessage } from './display-message-convert.js';
import { apiEnum } from './display-message-enums.js';
import { callStation, requireV201Station } from './v201-station.js';

/** How long a refresh waits for the report by default, and at most (report_wait_seconds). */
const DEFAULT_REPORT_WAIT_SECONDS = 30;
const MAX_REPORT_WAIT_SECONDS = 120;
/** The most messages a refresh returns (a station holds NumberOfDisplayMessages.maxLimit, far fewer). */
const RETURNED_LIMIT = 1000;

/**
 * RefreshDisplayMessages (O03/O04): records a GetDisplayMessagesRequest with a new requestId and its criteria, sends
 * it, and, when the station answers Accepted, waits (boundedly) until the station actor stored the report's last
 * part and reconciled the catalogue with it (NotifyDisplayMessages handler); Unknown reconciles here (the station
 * has no matching message and sends no report). Returns the catalogue's messages matching the criteria.
 */
export async function refreshDisplayMessages(
  deps: StationServiceDeps,
  request: api.RefreshDisplayMessagesRequest,
  context: CallContext,
): Promise<api.RefreshDisplayMessagesResponse> {
  const v = new RequestViolations();
  const filter = filterOf(v, request);
  const wait = request.reportWaitSeconds ?? DEFAULT_REPORT_WAIT_SECONDS;
  v.check(
    Number.isInteger(wait) && wait >= 0 && wait <= MAX_REPORT_WAIT_SECONDS,
    'report_wait_seconds',
    `must be between 0 and ${MAX_REPORT_WAIT_SECONDS}`,
  );
  await requireV201Station(deps, request.stationId, v, 'invalid RefreshDisplayMessages request');
  const { stationId } = request;
  const requestId = await newRequest(deps, stationId, filter);
  const answer = await callStation<V201.GetDisplayMessagesResponse>(
    deps,
    stationId,
    'GetDisplayMessages',
    toGetDisplayMessages(requestId, filter),
    context,
  );
  await deps.db
    .transaction()
    .execute((trx) => recordDisplayMessagesAnswer(trx, stationId, requestId, answer.status));
  const complete =
    answer.status === 'Unknown' ||
    (await abortable(waitForReport(deps, stationId, requestId, wait * 1000, context.signal), context.signal));
  const rows = await listDisplayMessages(deps.db, stationId, filter, undefined, RETURNED_LIMIT);
  deps.logger.debug({ stationId, requestId, complete, messages: rows.length }, 'display messages refreshed');
  return {
    requestId,
    status: apiEnum.getStatus(answer.status),
    complete,
    messages: rows.map(toCatalogueMessage),
  };
}

/** The GetDisplayMessagesRequest for `filter` (O03: no criteria asks for every message). */
export function toGetDisplayMessages(
  requestId: number,
  filter: DisplayMessageFilter,
): V201.GetDisplayMessagesRequest {
  return {
    requestId,
    ...(filter.ids !== undefined ? { id: [...filter.ids] } : {}),
    ...(filter.priority !== undefined ? { priority: filter.priority as V201.MessagePriorityEnumType } : {}),
    ...(filter.state !== undefined ? { state: filter.state as V201.MessageStateEnumType } : {}),
  };
}

/** Records a request with a requestId this station never used, so that an old report is not read as the new one. */
async function newRequest(
  deps: StationServiceDeps,
  stationId: string,
  filter: DisplayMessageFilter,
): Promise<number> {
  const criteria = {
    ...(filter.ids !== undefined ? { id: filter.ids } : {}),
    ...(filter.priority !== undefined ? { priority: filter.priority } : {}),
    ...(filter.state !== undefined ? { state: filter.state } : {}),
  };
  for (;;) {
    const requestId = randomInt(1, INT32_MAX);
    if (await startDisplayMessageRequest(deps.db, stationId, requestId, criteria)) return requestId;
  }
}

/** Whether the report of `requestId` became complete within `waitMs` (or before the call was cancelled). */
async function waitForReport(
  deps: StationServiceDeps,
  stationId: string,
  requestId: number,
  waitMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const row = await pollUntil(
    () => findDisplayMessageRequest(deps.db, stationId, requestId),
    (r) => r?.complete === true,
    waitMs,
    signal,
  );
  return row?.complete === true;
}
