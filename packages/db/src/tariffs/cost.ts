/**
 * A transaction's cost under a tariff (2.0.1 I02 / I03). Pure: no I/O, so the worker (the TransactionEvent
 * answer) and the transaction service (GetTransactionCost) compute the same numbers.
 *
 * cost = flat fee + energy (kWh) × price per kWh + duration (h) × price per hour, excluding tax; then:
 * - the subtotal is rounded to the currency's minor unit (ISO 4217: 2 decimals for EUR, 0 for JPY, 3 for
 *   KWD; from the runtime's ICU data), half away from zero;
 * - the tax is the rounded subtotal × the tax rate, rounded the same way;
 * - the total is subtotal + tax (exact: both are whole minor units), the `totalCost` sent to the station.
 * Energy below zero (a meter that went back, a replaced meter) and negative durations count as zero.
 */

export interface TariffPrices {
  readonly currency: string;
  readonly pricePerKwh: number;
  readonly pricePerHour: number;
  readonly flatFee: number;
  /** 0..100. */
  readonly taxRatePercent: number;
}

export interface CostInput {
  /** Energy delivered so far (Wh); undefined when the transaction has no readings yet (counts as 0). */
  readonly energyWh: number | undefined;
  /** Charging time (seconds): the transaction's duration up to the moment of the cost. */
  readonly durationS: number;
}

export interface TransactionCost {
  readonly currency: string;
  readonly energyWh: number;
  readonly durationS: number;
  /** The parts before rounding (for display; the rounded subtotal is their rounded sum). */
  readonly flatFee: number;
  readonly energyCost: number;
  readonly timeCost: number;
  /** Excluding tax, rounded to the minor unit. */
  readonly subtotal: number;
  readonly tax: number;
  /** subtotal + tax. */
  readonly total: number;
}

/** Computes the cost (see the module comment for the rounding). */
export function computeCost(tariff: TariffPrices, input: CostInput): TransactionCost {
  const energyWh = Math.max(0, input.energyWh ?? 0);
  const durationS = Math.max(0, input.durationS);
  const energyCost = (energyWh / 1000) * tariff.pricePerKwh;
  const timeCost = (durationS / 3600) * tariff.pricePerHour;
  const digits = minorUnitDigits(tariff.currency);
  const subtotalMinor = toMinorUnits(tariff.flatFee + energyCost + timeCost, digits);
  const taxMinor = toMinorUnits((subtotalMinor * tariff.taxRatePercent) / 100, 0);
  const scale = 10 ** digits;
  return {
    currency: tariff.currency,
    energyWh,
    durationS,
    flatFee: tariff.flatFee,
    energyCost,
    timeCost,
    subtotal: subtotalMinor / scale,
    tax: taxMinor / scale,
    total: (subtotalMinor + taxMinor) / scale,
  };
}

/**
 * The number of decimals of a currency's minor unit (ISO 4217), from Intl; 2 for a code the runtime does
 * not know.
 */
export function minorUnitDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}

/**
 * `amount` in whole minor units (amount × 10^digits), rounded half away from zero. The product is first cut
 * to 12 significant digits so that binary noise (0.285 × 100 = 28.499999999999996) does not decide it.
 */
function toMinorUnits(amount: number, digits: number): number {
  const scaled = Number((amount * 10 ** digits).toPrecision(12));
  return Math.sign(scaled) * Math.round(Math.abs(scaled));
}
