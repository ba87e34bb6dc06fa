import { describe, expect, it } from 'vitest';
import { ownerOf, partitionsFor } from './rendezvous.js';

describe('rendezvous hashing', () => {
  const workers = ['w-a', 'w-b', 'w-c'];

  it('assigns every partition to exactly one worker, evenly', () => {
    const owned = workers.map((w) => partitionsFor(w, workers, 256));
    expect(owned.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 256 }, (_, i) => i));
    for (const list of owned) {
      expect(list.length).toBeGreaterThan(256 / 3 - 30);
      expect(list.length).toBeLessThan(256 / 3 + 30);
    }
  });

  it('moves only the leaver’s partitions when a worker leaves', () => {
    const before = Array.from({ length: 256 }, (_, p) => ownerOf(p, workers));
    const after = Array.from({ length: 256 }, (_, p) => ownerOf(p, ['w-a', 'w-c']));
    for (let p = 0; p < 256; p++) {
      if (before[p] !== 'w-b') expect(after[p]).toBe(before[p]);
      else expect(after[p]).not.toBe('w-b');
    }
  });

  it('is independent of the order of the member list', () => {
    for (let p = 0; p < 256; p++) expect(ownerOf(p, workers)).toBe(ownerOf(p, [...workers].reverse()));
    expect(ownerOf(3, [])).toBeUndefined();
  });
});
