import type { Kysely } from 'kysely';
import { findIdToken } from '../id-tokens/id-tokens.js';
import type { Database } from '../schema.js';
import { transactionEnergyWh } from '../transactions/energy-register.js';
import type { TransactionRow } from '../transactions/schema.js';
import { computeCost, type TariffPrices, type TransactionCost } from './cost.js';
import { findApplicableTariff, findTariffWithoutGroup, type Tariff } from './tariffs.js';

/** The columns of a transactions row the cost depends on. */
export type CostFacts = Pick<
  TransactionRow,
  'started_at' | 'ended_at' | 'meter_start' | 'meter_stop' | 'register_first_wh' | 'register_last_wh'
>;

/**
 * A transaction's cost at `at` (pure): the energy from its meter readings (meter start / first register
 * reading to meter stop / latest register reading, `transactionEnergyWh`), the charging time from its start
 * to its end, or to `at` while it is active (the timestamp of the event being answered: the running cost,
 * I02).
 */
export function transactionCostOf(tariff: TariffPrices, facts: CostFacts, at: Date): TransactionCost {
  const end = facts.ended_at ?? at;
  const durationS = facts.started_at ? (end.getTime() - facts.started_at.getTime()) / 1000 : 0;
  return computeCost(tariff, { energyWh: transactionEnergyWh(facts), durationS });
}

/** The columns of a transactions row the tariff lookup depends on. */
export type TariffFacts = Pick<TransactionRow, 'station_id' | 'evse_id' | 'id_token'>;

/**
 * The tariff that applies to a transaction: by its station, EVSE and the id-token group of the token that
 * authorized it. `group` is that group when the caller knows it (the event's idTokenInfo), null when it knows
 * there is none: one statement. Undefined: the tariff without a group first, and only when group tariffs exist
 * the transaction's token and the group's tariff (two statements more).
 */
export async function tariffForTransaction(
  db: Kysely<Database>,
  row: TariffFacts,
  group?: string | null,
): Promise<Tariff | undefined> {
  const scope = { stationId: row.station_id, evseId: row.evse_id };
  if (group !== undefined) return findApplicableTariff(db, { ...scope, idTokenGroup: group });
  const { tariff, groupTariffs } = await findTariffWithoutGroup(db, scope);
  if (!groupTariffs || row.id_token === null) return tariff;
  const idTokenGroup = (await findIdToken(db, row.id_token))?.group_id ?? null;
  return idTokenGroup === null ? tariff : findApplicableTariff(db, { ...scope, idTokenGroup });
}
