export { ownerOf, partitionsFor } from './rendezvous.js';
export {
  PartitionLeases,
  type ClusterLogger,
  type PartitionLeasesOptions,
  type PartitionOwner,
} from './partition-leases.js';
