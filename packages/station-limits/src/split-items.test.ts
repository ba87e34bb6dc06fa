import { describe, expect, it } from 'vitest';
import { frameBytes, jsonBytes, splitItems } from './split-items.js';

describe('splitItems', () => {
  it('cuts by entries per message, in order; unknown limits leave one part', () => {
    expect(splitItems([1, 2, 3, 4, 5], { items: 2 })).toEqual([[1, 2], [3, 4], [5]]);
    expect(splitItems([1, 2, 3], {})).toEqual([[1, 2, 3]]);
    expect(splitItems([1, 2], { items: 5 })).toEqual([[1, 2]]);
    expect(splitItems([], { items: 2 })).toEqual([[]]);
  });

  it('cuts by bytes of the whole frame, counting the commas; an entry too large alone still goes', () => {
    const action = 'GetVariables';
    const items = ['aaaa', 'bbbb', 'cccc', 'x'.repeat(100)];
    const base = frameBytes(action, { list: [] });
    const size = { base, of: jsonBytes };
    // Room for two 6-byte entries and a comma.
    const parts = splitItems(items, { bytes: base + 13 }, size);
    expect(parts).toEqual([['aaaa', 'bbbb'], ['cccc'], ['x'.repeat(100)]]);
    for (const part of parts.slice(0, 2))
      expect(frameBytes(action, { list: part })).toBeLessThanOrEqual(base + 13);
  });

  it('applies both limits: whichever is reached first', () => {
    const base = frameBytes('SetVariables', { l: [] });
    expect(splitItems(['a', 'b', 'c'], { items: 1, bytes: 10_000 }, { base, of: jsonBytes })).toEqual([
      ['a'],
      ['b'],
      ['c'],
    ]);
  });
});

describe('frameBytes', () => {
  it('counts the CALL frame with a 36-character message id, in UTF-8', () => {
    expect(frameBytes('A', {})).toBe(`[2,"${'x'.repeat(36)}","A",{}]`.length);
    expect(frameBytes('A', { v: 'é' })).toBe(frameBytes('A', { v: 'e' }) + 1);
  });
});
