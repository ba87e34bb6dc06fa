import {
  ApiErrors,
  abortable,
  RichServerError,
  authV1,
  requireOcppVersion,
  resultOf,
  type CallContext,
} from '@csms/grpc';
import type { V201 } from '@csms/ocpp';
import { csmsCustomerData } from './customer-csms-data.js';
import { unusedCustomerRequestId, waitForCustomerReport } from './customer-report.js';
import {
  checkCustomerRequest,
  customerInformationPayload,
  type CustomerReference,
} from './customer-request.js';
import type { AuthServiceDeps } from './deps.js';
import { existingStation } from './station-lookup.js';

type Deps = Pick<AuthServiceDeps, 'db' | 'stations' | 'logger'>;

/** The SendLocalList RPC of this service (its per-station lock and learned limits included). */
export type SendLocalListRpc = (
  request: authV1.SendLocalListRequest,
  context: CallContext,
) => Promise<authV1.SendLocalListResponse>;

/** A CustomerInformationRequest the station accepted, and the report it then sent. */
interface AcceptedRequest {
  readonly stationId: string;
  readonly report: authV1.CustomerInformationReport;
}

/**
 * Customer information (2.0.1 N09 Get, N10 Clear): the request to the station, its NotifyCustomerInformation
 * report read back by requestId, the CSMS's own data about the customer and, on a clear, the station's local
 * list (N10.FR.02) through `sendLocalList`.
 */
export function customerInformationHandlers(deps: Deps, sendLocalList: SendLocalListRpc) {
  return {
    getCustomerInformation: async (
      request: authV1.GetCustomerInformationRequest,
      context: CallContext,
    ): Promise<authV1.GetCustomerInformationResponse> => {
      const { customer, waitMs } = checkCustomerRequest(request, 'GetCustomerInformation');
      // N09.FR.01: report true; a Get never clears.
      const flags = { report: true, clear: false };
      const { report } = await askStation(deps, request.stationId, customer, flags, waitMs, context);
      return { report, csmsData: await csmsCustomerData(deps.db, customer) };
    },
    clearCustomerInformation: (request: authV1.ClearCustomerInformationRequest, context: CallContext) =>
      clearCustomerInformation(deps, sendLocalList, request, context),
  };
}

async function clearCustomerInformation(
  deps: Deps,
  sendLocalList: SendLocalListRpc,
  request: authV1.ClearCustomerInformationRequest,
  context: CallContext,
): Promise<authV1.ClearCustomerInformationResponse> {
  const { customer, waitMs } = checkCustomerRequest(request, 'ClearCustomerInformation');
  const flags = { report: request.report, clear: true };
  // N10.FR.06: without report the station still sends one NotifyCustomerInformation saying it cleared the data;
  // TC_N_46_CSMS: the local list is updated after that report.
  const accepted = await askStation(deps, request.stationId, customer, flags, waitMs, context);
  const { stationId, report } = accepted;
  const update = await removeFromLocalList(deps, sendLocalList, stationId, customer, context);
  deps.logger.info(
    {
      stationId,
      requestId: report.requestId,
      customer: customer.kind,
      localList: update.localListUpdate?.status,
    },
    'customer information cleared',
  );
  return { report, csmsData: await csmsCustomerData(deps.db, customer), ...update };
}

/**
 * Sends the CustomerInformationRequest (a new requestId) to a 2.0.1 station and, once it answered Accepted,
 * waits for its report. FAILED_PRECONDITION CUSTOMER_INFORMATION_NOT_ACCEPTED when it answered Rejected
 * (N09.FR.03 / N10.FR.05) or Invalid (N09.FR.09).
 */
async function askStation(
  deps: Deps,
  stationIdArg: string,
  customer: CustomerReference,
  flags: { readonly report: boolean; readonly clear: boolean },
  waitMs: number,
  context: CallContext,
): Promise<AcceptedRequest> {
  const station = await existingStation(deps.db, stationIdArg);
  const stationId = station.id;
  // OCPP 1.6 has no CustomerInformation.
  requireOcppVersion(stationId, station.ocpp_version, ['ocpp2.0.1']);
  const requestId = await unusedCustomerRequestId(deps.db, stationId);
  const action = 'CustomerInformation';
  const payload = customerInformationPayload(requestId, customer, flags);
  const outcome = await abortable(deps.stations.call(stationId, action, { ...payload }), context.signal);
  const answer = resultOf(stationId, action, outcome) as unknown as V201.CustomerInformationResponse;
  if (answer.status !== 'Accepted')
    throw ApiErrors.failedPrecondition(
      'CUSTOMER_INFORMATION_NOT_ACCEPTED',
      `station ${stationId} answered CustomerInformation with ${answer.status}`,
      {
        stationId,
        requestId: String(requestId),
        stationStatus: answer.status,
        reasonCode: answer.statusInfo?.reasonCode ?? '',
        additionalInfo: answer.statusInfo?.additionalInfo ?? '',
      },
    );
  const report = await abortable(
    waitForCustomerReport(deps.db, stationId, requestId, waitMs, context.signal),
    context.signal,
  );
  return { stationId, report };
}

/**
 * N10.FR.02: when the cleared id token is on the station's stored local list, a SendLocalList Differential with
 * the next version (D01.FR.18 / D01.FR.19) whose one entry is the token without idTokenInfo (D01.FR.17: remove).
 * A failure of that update is reported, not thrown: the station has cleared its data already.
 */
async function removeFromLocalList(
  deps: Deps,
  sendLocalList: SendLocalListRpc,
  stationId: string,
  customer: CustomerReference,
  context: CallContext,
): Promise<Pick<authV1.ClearCustomerInformationResponse, 'localListUpdate' | 'localListError'>> {
  if (customer.kind !== 'idToken') return { localListUpdate: undefined, localListError: '' };
  const data = await csmsCustomerData(deps.db, customer);
  const listed = data.localListEntries.find((e) => e.stationId === stationId)?.entry;
  if (listed === undefined) return { localListUpdate: undefined, localListError: '' };
  const removal: authV1.LocalListEntry = {
    idToken: listed.idToken,
    type: listed.type || customer.idToken.type,
    status: authV1.AuthorizationStatus.AUTHORIZATION_STATUS_UNSPECIFIED,
    expireTime: undefined,
    groupId: '',
  };
  try {
    const localListUpdate = await sendLocalList(
      {
        stationId,
        updateType: authV1.UpdateType.UPDATE_TYPE_DIFFERENTIAL,
        entries: [removal],
        maxEntriesPerMessage: 0,
      },
      context,
    );
    return { localListUpdate, localListError: '' };
  } catch (error) {
    const localListError = `${reasonOf(error)}: ${error instanceof Error ? error.message : String(error)}`;
    deps.logger.warn(
      { stationId, localListError },
      'local list not updated after clearing customer information',
    );
    return { localListUpdate: undefined, localListError };
  }
}

/** The stable reason of an API error (its ErrorInfo), or ERROR. */
function reasonOf(error: unknown): string {
  if (error instanceof RichServerError)
    for (const detail of error.extra)
      if ('reason' in detail && typeof detail.reason === 'string') return detail.reason;
  return 'ERROR';
}
