import { describe, expect, it } from 'vitest';
import { computeCost, minorUnitDigits, type TariffPrices } from './cost.js';

const EUR: TariffPrices = {
  currency: 'EUR',
  pricePerKwh: 0.3,
  pricePerHour: 1.2,
  flatFee: 0.5,
  taxRatePercent: 21,
};

describe('computeCost', () => {
  it('adds the flat fee, the energy and the time, then the tax on the rounded subtotal', () => {
    // 0.50 + 12.345 kWh × 0.30 (3.7035) + 1.5 h × 1.20 (1.80) = 6.0035 → 6.00; tax 21 % = 1.26
    const cost = computeCost(EUR, { energyWh: 12_345, durationS: 5400 });
    expect(cost).toMatchObject({ energyWh: 12_345, durationS: 5400, subtotal: 6, tax: 1.26, total: 7.26 });
    expect(cost.energyCost).toBeCloseTo(3.7035, 10);
    expect(cost.timeCost).toBeCloseTo(1.8, 10);
  });

  it('rounds half away from zero despite binary noise', () => {
    // 0.285 × 100 is 28.499999999999996 in binary floating point: still 0.29.
    const cost = computeCost(
      { ...EUR, flatFee: 0.285, pricePerKwh: 0, pricePerHour: 0, taxRatePercent: 0 },
      {
        energyWh: 0,
        durationS: 0,
      },
    );
    expect(cost.total).toBe(0.29);
  });

  it('is 0.00 for a free tariff (I03.FR.04) and without readings', () => {
    const free = { ...EUR, pricePerKwh: 0, pricePerHour: 0, flatFee: 0 };
    expect(computeCost(free, { energyWh: 5000, durationS: 600 }).total).toBe(0);
    expect(computeCost(EUR, { energyWh: undefined, durationS: 0 })).toMatchObject({
      energyWh: 0,
      total: 0.61,
    });
  });

  it('counts a meter that went back and a negative duration as zero', () => {
    expect(computeCost(EUR, { energyWh: -300, durationS: -5 })).toMatchObject({
      energyWh: 0,
      durationS: 0,
      subtotal: 0.5,
    });
  });

  it("rounds to the currency's minor unit", () => {
    const yen = computeCost(
      { ...EUR, currency: 'JPY', flatFee: 100.5, taxRatePercent: 10 },
      {
        energyWh: 0,
        durationS: 0,
      },
    );
    expect(yen).toMatchObject({ subtotal: 101, tax: 10, total: 111 });
    const dinar = computeCost(
      { ...EUR, currency: 'KWD', flatFee: 0.1234, taxRatePercent: 0 },
      {
        energyWh: 0,
        durationS: 0,
      },
    );
    expect(dinar.total).toBe(0.123);
  });

  it('knows the minor units of common currencies', () => {
    expect([minorUnitDigits('EUR'), minorUnitDigits('JPY'), minorUnitDigits('KWD')]).toEqual([2, 0, 3]);
    expect(minorUnitDigits('XYZ')).toBe(2);
  });
});
