/**
 * Rendezvous (highest-random-weight) hashing: each partition goes to the live worker with the highest
 * hash of (worker, partition). Every worker computes the same assignment from the same membership,
 * with no coordinator; when a worker joins or leaves, only the partitions it wins or held move.
 */
export function ownerOf(partition: number, workers: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const worker of workers) {
    const weight = weightOf(worker, partition);
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && worker < best)) {
      best = worker;
      bestWeight = weight;
    }
  }
  return best;
}

/** The partitions `worker` should own among `workers`. */
export function partitionsFor(worker: string, workers: readonly string[], partitionCount: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < partitionCount; p++) if (ownerOf(p, workers) === worker) out.push(p);
  return out;
}

/** 32-bit FNV-1a of `worker#partition`, finalised with a murmur3 mix for a uniform spread. */
function weightOf(worker: string, partition: number): number {
  let h = 0x811c9dc5;
  const key = `${worker}#${partition}`;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
