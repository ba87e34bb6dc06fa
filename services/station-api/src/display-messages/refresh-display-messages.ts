import {
  findDisplayMessageRequest,
  listDisplayMessages,
  recordDisplayMessagesAnswer,
  startDisplayMessageRequest,
  type DisplayMessageFilter,
} from '@csms/db';
import { RequestViolations, type displayMessageV1 as api, type CallContext } from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import type { StationServiceDeps } from '../deps.js';
import { filterOf, toCatalogueMessage } from './display-message-convert.js';
import { apiEnum } from './display-message-enums.js';
import { reportWaitSeconds, requestReport } from '../report-request.js';
import { requireV201Station } from './v201-station.js';

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
  const wait = reportWaitSeconds(v, request.reportWaitSeconds);
  await requireV201Station(deps, request.stationId, v, 'invalid RefreshDisplayMessages request');
  const { stationId } = request;
  const criteria = {
    ...(filter.ids !== undefined ? { id: filter.ids } : {}),
    ...(filter.priority !== undefined ? { priority: filter.priority } : {}),
    ...(filter.state !== undefined ? { state: filter.state } : {}),
  };
  const { requestId, answer, complete } = await requestReport<V201.GetDisplayMessagesResponse>(
    deps,
    stationId,
    {
      action: 'GetDisplayMessages',
      start: (id) => startDisplayMessageRequest(deps.db, stationId, id, criteria),
      payload: (id) => ({ ...toGetDisplayMessages(id, filter) }),
      recordAnswer: (trx, id, a) => recordDisplayMessagesAnswer(trx, stationId, id, a.status),
      reportFollows: (a) => a.status !== 'Unknown',
      isComplete: async (id) => (await findDisplayMessageRequest(deps.db, stationId, id))?.complete === true,
    },
    wait,
    context,
  );
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
