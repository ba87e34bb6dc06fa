/**
 * `firstIndex`: a second fleet continues the numbering of a first one, so that two fleets started one
 * after the other (the benchmark's overload phase) are together exactly the stations of one seeded fleet:
 * same identities, padding, OCPP versions and id tokens. Construction only: no socket is opened.
 */
import { describe, expect, it } from 'vitest';
import { Simulator, stationIdentity, type SimulatorOptions } from './index.js';

const BASE: SimulatorOptions = {
  url: 'ws://127.0.0.1:9/ocpp',
  stations: 1,
  idPrefix: 'OFF',
  versionMix: 0.3,
};

const describeFleet = (sim: Simulator) => sim.stations.map((s) => [s.identity, s.version]);

describe('Simulator firstIndex', () => {
  it('continues the identities and the version interleaving of a fleet of the total', () => {
    const whole = new Simulator({ ...BASE, stations: 10 });
    const first = new Simulator({ ...BASE, stations: 4 });
    const second = new Simulator({ ...BASE, stations: 6, firstIndex: 4 });
    expect(second.stations.map((s) => s.identity)).toEqual([
      'OFF00005',
      'OFF00006',
      'OFF00007',
      'OFF00008',
      'OFF00009',
      'OFF00010',
    ]);
    expect([...describeFleet(first), ...describeFleet(second)]).toEqual(describeFleet(whole));
    const versions = (sim: Simulator) => sim.stats().stations.byVersion;
    expect(versions(first)['ocpp2.0.1'] + versions(second)['ocpp2.0.1']).toBe(versions(whole)['ocpp2.0.1']);
    expect(second.stats().stations.total).toBe(6);
  });

  it('pads as stationIdentity does for firstIndex + stations', () => {
    const sim = new Simulator({ ...BASE, stations: 2, firstIndex: 99_998 });
    expect(sim.stations.map((s) => s.identity)).toEqual(['OFF099999', 'OFF100000']);
    expect(sim.stations[0]?.identity).toBe(stationIdentity('OFF', 99_998, 100_000));
  });

  it('hands the id token function the number within the whole fleet', () => {
    const seen: [string, number][] = [];
    new Simulator({
      ...BASE,
      stations: 2,
      firstIndex: 3,
      idTokens: (id, index) => {
        seen.push([id, index]);
        return [`T${index}`];
      },
    });
    expect(seen).toEqual([
      ['OFF00004', 3],
      ['OFF00005', 4],
    ]);
  });

  it('refuses a negative, fractional or too large offset', () => {
    for (const firstIndex of [-1, 1.5, 99_999])
      expect(() => new Simulator({ ...BASE, stations: 2, firstIndex }), String(firstIndex)).toThrow(
        RangeError,
      );
  });
});
