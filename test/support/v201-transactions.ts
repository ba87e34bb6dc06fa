/**
 * Set-up shared by the 2.0.1 transaction scenarios (`test/scenarios/v201-transaction*.test.ts`): an embedded CSMS,
 * a charging station with a started transaction, and queries of what the CSMS stored. The `let` bindings are live:
 * each test file that calls {@link useTransactionsCsms} gets its own (vitest runs every file in its own module graph).
 */
import type { V201 } from '@csms/ocpp';
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestCsms, type TestCsms } from './csms.js';
import { booted201, notifyConnector, Tx201 } from './octt-states.js';
import { addIdToken, connect201, type Station201 } from './scenario.js';

export let csms: TestCsms;

export const accepted = { idTokenInfo: { status: 'Accepted' } };

/** A booted station and a transaction with a fresh valid idToken (not started yet). */
export async function setup(): Promise<{ cs: Station201; tx: Tx201 }> {
  const cs = await connect201(csms);
  expect((await booted201(cs)).status).toBe('Accepted');
  const idToken: V201.IdTokenType = {
    idToken: await addIdToken(csms, 'E', { type: 'ISO14443' }),
    type: 'ISO14443',
  };
  return { cs, tx: new Tx201(cs, { idToken }) };
}

export async function row(cs: Station201, tx: Tx201) {
  return csms.database.db
    .selectFrom('transactions')
    .selectAll()
    .where('station_id', '=', cs.id)
    .where('transaction_id', '=', tx.transactionId)
    .executeTakeFirstOrThrow();
}

export async function storedEvents(cs: Station201, tx: Tx201) {
  const rows = await csms.database.db
    .selectFrom('transaction_events')
    .select(['seq_no', 'event_type', 'trigger_reason', 'offline'])
    .where('station_id', '=', cs.id)
    .where('transaction_id', '=', tx.transactionId)
    .orderBy('seq_no')
    .execute();
  return rows.map((r) => [r.seq_no, r.event_type, r.trigger_reason, r.offline]);
}

/** Closes the station's connection and connects again with the same identity (no new boot). */
export async function reconnect(cs: Station201): Promise<Station201> {
  await cs.close();
  return connect201(csms, { id: cs.id });
}

/** Authorize + connector Occupied + TransactionEvent Started with `chargingState` (E01 S4-S6). */
export async function startWith(
  cs: Station201,
  tx: Tx201,
  triggerReason: V201.TriggerReasonEnumType,
  chargingState: V201.ChargingStateEnumType,
  meterValue?: V201.MeterValueType[],
): Promise<void> {
  expect(await cs.call('Authorize', { idToken: tx.idToken })).toEqual(accepted);
  await notifyConnector(cs, 1, 1, 'Occupied');
  const started = await tx.event(triggerReason, {
    idToken: tx.idToken,
    evse: { id: 1, connectorId: 1 },
    info: { chargingState },
    ...(meterValue ? { meterValue } : {}),
  });
  expect(tx.sent.at(-1)?.eventType).toBe('Started');
  expect(started).toEqual(accepted);
  tx.isAuthorized = true;
  tx.evConnected = true;
}

/** Registers the set-up and tear-down hooks of a test file that uses these helpers. */
export function useTransactionsCsms(): void {
  beforeAll(async () => {
    csms = await startTestCsms({ database: 'postgres' });
  });
  afterAll(() => csms.close());
}
