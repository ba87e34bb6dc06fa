/**
 * Stations are grouped into a fixed number of partitions; a partition is the unit of ownership that
 * workers lease, hand over and fail over. The count is a constant of the wire format (it appears in
 * subjects), so every process agrees on it without configuration; changing it would move every
 * station. 256 partitions keep the load even for up to ~25 workers (Akka's rule of thumb: about ten
 * partitions per node).
 */
export const PARTITION_COUNT = 256;

/** The partition of a station: FNV-1a (32-bit) of its UTF-8 id, modulo {@link PARTITION_COUNT}. */
export function partitionOf(stationId: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(stationId, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % PARTITION_COUNT;
}
