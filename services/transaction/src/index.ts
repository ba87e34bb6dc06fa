export { createTransactionService } from './transaction-service.js';
export { createTariffService } from './tariff-service.js';
export type { TransactionServiceDeps } from './deps.js';
export { FENCED } from './records.js';
export { TRANSACTION_EVENT_TYPES } from './transaction-events.js';
