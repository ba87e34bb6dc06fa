import { listDisplayMessages, removeDisplayMessage, storeAcceptedDisplayMessage } from '@csms/db';
import {
  INT32_KEY,
  RequestViolations,
  apiService,
  decodePageToken,
  displayMessageV1 as api,
  encodePageToken,
  pageSizeOf,
  type ApiService,
  type CallContext,
  type ServiceImplementation,
} from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import type { StationServiceDeps } from '../deps.js';
import { filterOf, toCatalogueMessage, toMessageInfo } from './display-message-convert.js';
import { apiEnum } from './display-message-enums.js';
import { refreshDisplayMessages } from './refresh-display-messages.js';
import { callStation, requireV201Station } from './v201-station.js';

/**
 * `csms.station.v1.DisplayMessageService`: the display messages of OCPP 2.0.1 stations (O01-O06), kept in a
 * per-station catalogue of what each station confirmed (`display-messages` domain of @csms/db).
 */
export function createDisplayMessageService(deps: StationServiceDeps): ApiService {
  const impl: ServiceImplementation<typeof api.DisplayMessageServiceDefinition> = {
    setDisplayMessage: (request, context) => setDisplayMessage(deps, request, context),
    listDisplayMessages: (request) => listCatalogue(deps, request),
    refreshDisplayMessages: (request, context) => refreshDisplayMessages(deps, request, context),
    clearDisplayMessage: (request, context) => clearDisplayMessage(deps, request, context),
  };
  return apiService('csms.station.v1.DisplayMessageService', api.DisplayMessageServiceDefinition, impl);
}

/** SetDisplayMessage: sends the message; stored only when the station answers Accepted (O01-O02, O06). */
async function setDisplayMessage(
  deps: StationServiceDeps,
  request: api.SetDisplayMessageRequest,
  context: CallContext,
): Promise<api.SetDisplayMessageResponse> {
  const v = new RequestViolations();
  v.stationId('station_id', request.stationId);
  const message = toMessageInfo(request.message, v);
  await requireV201Station(deps, request.stationId, v, 'invalid SetDisplayMessage request');
  const answer = await callStation<V201.SetDisplayMessageResponse>(
    deps,
    request.stationId,
    'SetDisplayMessage',
    { message },
    context,
  );
  // Rejected, NotSupported* and UnknownTransaction (O01.FR.01-03, O01.FR.11, O02.FR.01): the station did not take it.
  if (answer.status === 'Accepted')
    await deps.db
      .transaction()
      .execute((trx) => storeAcceptedDisplayMessage(trx, request.stationId, message));
  return { status: apiEnum.setStatus(answer.status), statusReason: answer.statusInfo?.reasonCode ?? '' };
}

/** ListDisplayMessages: the catalogue, filtered, by message id, a page at a time. */
async function listCatalogue(
  deps: StationServiceDeps,
  request: api.ListDisplayMessagesRequest,
): Promise<api.ListDisplayMessagesResponse> {
  const v = new RequestViolations();
  const filter = filterOf(v, request);
  await requireV201Station(deps, request.stationId, v, 'invalid ListDisplayMessages request');
  const pageSize = pageSizeOf(request.pageSize);
  const afterKey = decodePageToken(request.pageToken, INT32_KEY);
  const after = afterKey === undefined ? undefined : Number(afterKey);
  const rows = await listDisplayMessages(deps.db, request.stationId, filter, after, pageSize + 1);
  const page = rows.slice(0, pageSize);
  return {
    messages: page.map(toCatalogueMessage),
    nextPageToken: rows.length > pageSize ? encodePageToken(page[page.length - 1]!.message_id) : '',
  };
}

/** ClearDisplayMessage: sends the clear; the message leaves the catalogue when the station accepts (O05.FR.01). */
async function clearDisplayMessage(
  deps: StationServiceDeps,
  request: api.ClearDisplayMessageRequest,
  context: CallContext,
): Promise<api.ClearDisplayMessageResponse> {
  const v = new RequestViolations();
  v.check(request.id >= 0, 'id', 'must be >= 0');
  await requireV201Station(deps, request.stationId, v, 'invalid ClearDisplayMessage request');
  const answer = await callStation<V201.ClearDisplayMessageResponse>(
    deps,
    request.stationId,
    'ClearDisplayMessage',
    { id: request.id },
    context,
  );
  if (answer.status === 'Accepted') await removeDisplayMessage(deps.db, request.stationId, request.id);
  return { status: apiEnum.clearStatus(answer.status) };
}
