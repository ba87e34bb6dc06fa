import { describe, expect, it } from 'vitest';
import { energyRegisterSamples } from './transaction-event.js';

describe('energy register samples', () => {
  it('takes total Energy.Active.Import.Register readings at the outlet, in Wh', () => {
    const samples = energyRegisterSamples([
      {
        timestamp: '2031-01-01T00:00:00.000Z',
        sampledValue: [
          { value: 12.5 }, // all defaults: register, Wh, Sample.Periodic, Outlet
          { value: 1.2345, unitOfMeasure: { unit: 'kWh' }, context: 'Transaction.Begin' },
          { value: 3, unitOfMeasure: { unit: 'Wh', multiplier: 3 } },
          { value: 7, phase: 'L1' },
          { value: 8, location: 'EV' },
          { value: 9, measurand: 'Energy.Active.Export.Register' },
          { value: 10, unitOfMeasure: { unit: 'varh' } },
        ],
      },
    ]);
    expect(samples.map((s) => [s.wh, s.context])).toEqual([
      [12.5, 'Sample.Periodic'],
      [1234.5, 'Transaction.Begin'],
      [3000, 'Sample.Periodic'],
    ]);
  });
});
