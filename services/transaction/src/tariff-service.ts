import { createTariff, deleteTariff, findTariff, listTariffs, updateTariff } from '@csms/db';
import {
  apiService,
  ApiErrors,
  decodePageToken,
  encodePageToken,
  pageSizeOf,
  RequestViolations,
  tariffV1 as api,
  type ApiService,
  type ServiceImplementation,
} from '@csms/grpc';
import { transactionCost } from './cost-of-transaction.js';
import type { TransactionServiceDeps } from './deps.js';
import { changesOfRequest, checkTariffId, tariffOfRequest } from './tariff-checks.js';
import { toApiTariff } from './tariff-view.js';

type Deps = Pick<TransactionServiceDeps, 'db'> & { readonly now?: () => Date };

/** A tariff id page key (the ids' own alphabet). */
const TARIFF_KEY = /^[A-Za-z0-9._-]{1,36}$/;

/**
 * `csms.tariff.v1.TariffService` (proto/csms/tariff/v1/tariff.proto): tariffs, and the cost of a
 * transaction. Hosted by the `transaction` role: a cost is derived from the transaction's recorded data.
 */
export function createTariffService(deps: Deps): ApiService {
  const impl: ServiceImplementation<typeof api.TariffServiceDefinition> = {
    createTariff: (request) => create(deps, request),
    updateTariff: (request) => update(deps, request),
    deleteTariff: (request) => remove(deps, request),
    getTariff: (request) => get(deps, request),
    listTariffs: (request) => list(deps, request),
    getTransactionCost: (request) => transactionCost(deps, request),
  };
  return apiService('csms.tariff.v1.TariffService', api.TariffServiceDefinition, impl);
}

async function create(deps: Deps, request: api.CreateTariffRequest): Promise<api.CreateTariffResponse> {
  const tariff = tariffOfRequest(request);
  const r = await createTariff(deps.db, tariff);
  if ('created' in r) return { tariff: toApiTariff(r.created) };
  switch (r.refused) {
    case 'id-exists':
      throw ApiErrors.alreadyExists('tariff', tariff.id);
    case 'no-station':
      throw ApiErrors.notFound('station', tariff.stationId ?? '');
    case 'scope-exists':
      throw ApiErrors.failedPrecondition('TARIFF_SCOPE_TAKEN', 'another tariff has the same scope', {
        tariffId: tariff.id,
      });
  }
}

async function update(deps: Deps, request: api.UpdateTariffRequest): Promise<api.UpdateTariffResponse> {
  const changes = changesOfRequest(request);
  const updated = await updateTariff(deps.db, request.tariffId, changes);
  if (!updated) throw ApiErrors.notFound('tariff', request.tariffId);
  return { tariff: toApiTariff(updated) };
}

function checkedId(request: { tariffId: string }, rpc: string): string {
  const v = new RequestViolations();
  checkTariffId(v, request.tariffId);
  v.throwIfAny(`invalid ${rpc} request`);
  return request.tariffId;
}

async function remove(deps: Deps, request: api.DeleteTariffRequest): Promise<api.DeleteTariffResponse> {
  const id = checkedId(request, 'DeleteTariff');
  if (!(await deleteTariff(deps.db, id))) throw ApiErrors.notFound('tariff', id);
  return {};
}

async function get(deps: Deps, request: api.GetTariffRequest): Promise<api.GetTariffResponse> {
  const id = checkedId(request, 'GetTariff');
  const tariff = await findTariff(deps.db, id);
  if (!tariff) throw ApiErrors.notFound('tariff', id);
  return { tariff: toApiTariff(tariff) };
}

async function list(deps: Deps, request: api.ListTariffsRequest): Promise<api.ListTariffsResponse> {
  const v = new RequestViolations();
  if (request.stationId !== '') v.stationId('station_id', request.stationId);
  v.throwIfAny('invalid ListTariffs request');
  const limit = pageSizeOf(request.pageSize);
  const after = decodePageToken(request.pageToken, TARIFF_KEY);
  const rows = await listTariffs(deps.db, {
    limit: limit + 1,
    ...(request.stationId !== '' ? { stationId: request.stationId } : {}),
    ...(after !== undefined ? { afterId: after } : {}),
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    tariffs: page.map(toApiTariff),
    nextPageToken: rows.length > limit && last ? encodePageToken(last.id) : '',
  };
}
