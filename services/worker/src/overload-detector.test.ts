import { describe, expect, it } from 'vitest';
import { OverloadDetector, type OverloadSettings } from './overload-detector.js';

const SETTINGS: OverloadSettings = { targetMs: 50, windowMs: 1000, windows: 2, minCalls: 3 };

/** A detector on a clock the test moves, with its changes recorded. */
function detector(settings: Partial<OverloadSettings> = SETTINGS) {
  let t = 0;
  const changes: boolean[] = [];
  const d = new OverloadDetector(
    { ...SETTINGS, ...settings },
    () => t,
    (o) => changes.push(o),
  );
  return {
    d,
    changes,
    at: (ms: number) => void (t = ms),
    /** `count` CALLs that each took `tookMs`, ending at `from`, `from + 1`, ... */
    calls: (from: number, count: number, tookMs: number): void => {
      for (let i = 0; i < count; i++) {
        t = from + i;
        const end = t;
        t = end - tookMs;
        const start = d.now();
        t = end;
        d.observe(start);
      }
    },
  };
}

describe('OverloadDetector', () => {
  it('is overloaded after two whole windows whose fastest CALL exceeded the target, and not before', () => {
    const { d, changes, calls, at } = detector();
    calls(10, 5, 80);
    expect(d.overloaded).toBe(false); // the first window is still open
    calls(1010, 5, 70);
    expect(d.overloaded).toBe(false); // one window judged over the target
    at(2000);
    expect(d.overloaded).toBe(true); // the second one ended over the target too
    expect(changes).toEqual([true]);
  });

  it('judges by the fastest CALL: a burst or one slow station among fast ones does not count', () => {
    const { d, calls, at } = detector();
    for (const start of [10, 1010, 2010]) {
      calls(start, 10, 900); // a burst's tail, or an OCPP request to a slow OCSP responder
      calls(start + 500, 1, 4); // ... and one CALL that went straight through
    }
    at(3000);
    expect(d.overloaded).toBe(false);
  });

  it('ends with the first window at or under the target', () => {
    const { d, changes, calls, at } = detector();
    calls(10, 5, 80);
    calls(1010, 5, 80);
    at(2000);
    expect(d.overloaded).toBe(true);
    calls(2010, 5, 80);
    calls(2500, 1, 50); // exactly the target is not over it
    at(3000);
    expect(d.overloaded).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('does not judge a window with too few CALLs, and forgets windows that passed without any', () => {
    const { d, calls, at } = detector();
    calls(10, 2, 500); // below minCalls: one slow station alone is not a queue
    calls(1010, 2, 500);
    at(2000);
    expect(d.overloaded).toBe(false);
    calls(2010, 5, 80);
    at(5000); // windows 3000-4999 had no CALL at all
    calls(5010, 5, 80);
    at(6000);
    expect(d.overloaded).toBe(false); // only one window over the target since the silence
    calls(6010, 5, 80);
    at(7000);
    expect(d.overloaded).toBe(true);
  });

  it('is off with a target of 0', () => {
    const { d, calls, at } = detector({ targetMs: 0 });
    calls(10, 50, 5000);
    calls(1010, 50, 5000);
    calls(2010, 50, 5000);
    at(3000);
    expect(d.overloaded).toBe(false);
  });
});
