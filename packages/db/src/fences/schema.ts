import type { Generated } from 'kysely';
import type { CreatedAt } from '../column-types.js';

/** The current owner epoch of each partition (distributed mode). */
export interface PartitionFencesTable {
  partition: number;
  epoch: string;
  owner: string;
  acquired_at: CreatedAt;
}

export type OwnershipEvent = 'acquired' | 'released' | 'fenced';

/** Every acquisition, release and fencing of a partition, for audits and tests. */
export interface PartitionOwnershipLogTable {
  id: Generated<string>;
  partition: number;
  epoch: string;
  owner: string;
  event: OwnershipEvent;
  at: CreatedAt;
}

export interface FenceTables {
  partition_fences: PartitionFencesTable;
  partition_ownership_log: PartitionOwnershipLogTable;
}
