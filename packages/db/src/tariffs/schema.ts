import type { ColumnType, Generated, Selectable } from 'kysely';
import type { CreatedAt, Json, Timestamp, UpdatedAt } from '../column-types.js';

/** A numeric column: written as a number or decimal string, read as a string (pg) or number (PGlite). */
export type Decimal = ColumnType<string | number, string | number, string | number>;

/**
 * A tariff (2.0.1 functional block I): the prices the CSMS computes a transaction's cost with and the text
 * shown to the driver (I01 personalMessage). Its scope is at most one of: an id-token group, a station (with
 * an EVSE of it, or all its EVSEs); no scope = every station (the default tariff). One tariff per scope.
 */
export interface TariffsTable {
  /** Chosen by the operator (1-36 characters). */
  id: string;
  /** ISO 4217 alphabetic code (e.g. EUR). */
  currency: string;
  price_per_kwh: Decimal;
  price_per_hour: Decimal;
  flat_fee: Decimal;
  /** 0..100; the prices above exclude it. */
  tax_rate_percent: Decimal;
  /** The default display text (personalMessage content, at most 512 characters). */
  display_text: string;
  /** The text per language (RFC 5646 tag → text). */
  display_texts: Json<Record<string, string>>;
  station_id: string | null;
  evse_id: number | null;
  id_token_group: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** The final cost of an ended transaction, computed when its Ended event was recorded (I03). */
export interface TransactionCostsTable {
  /** transactions.id. */
  transaction_ref: string;
  /** The tariff applied (kept when the tariff is deleted later). */
  tariff_id: string;
  currency: string;
  energy_wh: number;
  duration_s: number;
  /** Excluding tax, in the currency's unit, rounded to its minor unit. */
  subtotal: Decimal;
  tax: Decimal;
  /** subtotal + tax: the totalCost sent to the station. */
  total: Decimal;
  computed_at: Timestamp;
  id: Generated<string>;
}

export interface TariffTables {
  tariffs: TariffsTable;
  transaction_costs: TransactionCostsTable;
}

export type TariffRow = Selectable<TariffsTable>;
export type TransactionCostRow = Selectable<TransactionCostsTable>;
