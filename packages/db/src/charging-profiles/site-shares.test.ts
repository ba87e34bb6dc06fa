import { describe, expect, it } from 'vitest';
import { equalShares } from './site-shares.js';

const claim = (maxW: number, minW = 0) => ({ maxW, minW });
const rounded = (shares: number[]) => shares.map((s) => Math.round(s * 1000) / 1000);

describe('equalShares', () => {
  it('gives every EV its maximum when they all fit', () => {
    expect(equalShares(22_080, [claim(13_800), claim(4_140)])).toEqual([13_800, 4_140]);
  });

  it('shares equally when they do not, and never more than the budget', () => {
    const shares = equalShares(22_080, [claim(13_800), claim(22_080), claim(22_080)]);
    expect(rounded(shares)).toEqual([7_360, 7_360, 7_360]);
    expect(shares.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(22_080);
  });

  it('gives what one EV cannot take to the others', () => {
    // 30 kW for three: the first takes at most 4 kW, the others split the remaining 26 kW.
    expect(rounded(equalShares(30_000, [claim(4_000), claim(20_000), claim(50_000)]))).toEqual([
      4_000, 13_000, 13_000,
    ]);
  });

  it('never gives an admitted EV less than its minimum, and lets the later ones wait when minimums do not fit', () => {
    // 10 kW, three AC EVs of 4,140 W minimum (6 A on three phases): only two minimums fit, in the order they came.
    expect(
      rounded(equalShares(10_000, [claim(22_080, 4_140), claim(22_080, 4_140), claim(22_080, 4_140)])),
    ).toEqual([5_000, 5_000, 0]);
    // A later EV whose minimum still fits is admitted after one that did not fit.
    expect(
      rounded(equalShares(10_000, [claim(22_080, 4_140), claim(22_080, 8_000), claim(3_000, 1_000)])),
    ).toEqual([7_000, 0, 3_000]);
    // An EV above its share's level keeps its minimum; the others share the rest.
    expect(rounded(equalShares(12_000, [claim(22_080, 8_000), claim(22_080), claim(22_080)]))).toEqual([
      8_000, 2_000, 2_000,
    ]);
  });

  it('finds even shares exactly, so a schedule in A is not rounded down below them', () => {
    // 42,780 W between two EVs: 21,390 W each, 31.0 A on three phases at 230 V.
    expect(equalShares(42_780, [claim(22_080, 4_140), claim(22_080, 4_140)])).toEqual([21_390, 21_390]);
    expect(equalShares(42_780, [claim(13_800, 4_140), claim(22_080, 4_140), claim(22_080, 4_140)])).toEqual([
      13_800, 14_490, 14_490,
    ]);
  });

  it('gives nothing when there is no budget, and handles no claims', () => {
    expect(equalShares(-500, [claim(1_000), claim(2_000, 100)])).toEqual([0, 0]);
    expect(equalShares(1_000, [])).toEqual([]);
  });
});
