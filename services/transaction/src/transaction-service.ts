import { apiService, transactionV1, type ApiService, type ServiceImplementation } from '@csms/grpc';
import type { TransactionServiceDeps } from './deps.js';
import { endTransaction } from './end-transaction.js';
import { getTransaction, listMeterValues, listTransactionEvents, listTransactions } from './queries.js';
import { recordHandlers } from './records.js';
import { streamTransactionEvents } from './transaction-events.js';

/**
 * `csms.transaction.v1.TransactionService`: transactions, meter values and transaction events (read),
 * a live stream of transaction facts, and the internal record RPCs the workers use in the distributed
 * topology (see proto/csms/transaction/v1/transaction.proto).
 */
export function createTransactionService(deps: TransactionServiceDeps): ApiService {
  const implementation: ServiceImplementation<typeof transactionV1.TransactionServiceDefinition> = {
    listTransactions: (request) => listTransactions(deps, request),
    getTransaction: (request) => getTransaction(deps, request),
    listMeterValues: (request) => listMeterValues(deps, request),
    listTransactionEvents: (request) => listTransactionEvents(deps, request),
    streamTransactionEvents: (request, context) => streamTransactionEvents(deps.bus, request, context.signal),
    endTransaction: (request) => endTransaction(deps, request),
    ...recordHandlers(deps),
  };
  return apiService(
    'csms.transaction.v1.TransactionService',
    transactionV1.TransactionServiceDefinition,
    implementation,
  );
}
