import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { partitionsFor } from './rendezvous.js';

/** What the lease manager drives: the worker's partition serving (see `Worker` in services/worker). */
export interface PartitionOwner {
  /** Start serving `partition` under `epoch`; false when the database fence is already newer. */
  acquirePartition(partition: number, epoch: string): Promise<boolean>;
  /** Stop serving `partition` (drain its actors). */
  releasePartition(partition: number, event?: 'released' | 'fenced'): Promise<void>;
}

/** The structured logger the lease manager needs (pino-compatible). */
export interface ClusterLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface PartitionLeasesOptions {
  readonly nc: NatsConnection;
  readonly workerId: string;
  readonly owner: PartitionOwner;
  readonly partitionCount: number;
  readonly log: ClusterLogger;
  /** KV bucket holding membership and leases. */
  readonly bucket?: string;
  /** A lease or membership key not renewed for this long expires (server-side per-key TTL). */
  readonly leaseTtlMs?: number;
  /** How often leases are renewed and the assignment reconciled. */
  readonly renewIntervalMs?: number;
}

interface Held {
  /** Fencing epoch: fixed for the life of this lease. */
  readonly epoch: string;
  /** Stream sequence of the last write of the key (for compare-and-set renewals). */
  seq: number;
}

/**
 * Partition ownership over NATS JetStream KV (NATS >= 2.11: per-key TTL).
 *
 * - Membership: each worker keeps a key `w.<id>` alive with a short TTL; the live members are the keys
 *   present. A crashed worker's key expires; a stopping worker deletes it.
 * - Assignment: every worker computes the same rendezvous hashing of partitions over live members.
 * - Leases: the assigned worker creates `p.<n>` (create fails while another holds it), renews it by a
 *   compare-and-set publish with a fresh TTL, and releases it by deleting it after draining. A lease
 *   whose holder crashed or froze expires after the TTL and the next owner creates it.
 * - Epoch: derived from the lease's stream sequence, with the bucket's creation time in the high bits
 *   so epochs keep growing even if the bucket is ever recreated. The database fence refuses writes
 *   from any older epoch (PartitionFence).
 */
export class PartitionLeases {
  readonly #o: Required<Omit<PartitionLeasesOptions, 'log' | 'owner' | 'nc'>> &
    Pick<PartitionLeasesOptions, 'log' | 'owner' | 'nc'>;
  readonly #held = new Map<number, Held>();
  readonly #members = new Set<string>();
  #kv: KV | undefined;
  #js: JetStreamClient | undefined;
  #epochBase = 0n;
  #memberSeq = 0;
  #timer: NodeJS.Timeout | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;
  #reconciling: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #watchStop: (() => void) | undefined;
  #lastSummary = '';

  constructor(options: PartitionLeasesOptions) {
    this.#o = { bucket: 'csms_cluster', leaseTtlMs: 3000, renewIntervalMs: 1000, ...options };
  }

  /** Partitions whose leases this worker holds. */
  held(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }

  /** Live workers as last seen. */
  members(): string[] {
    return [...this.#members].sort();
  }

  async start(): Promise<void> {
    const { nc, bucket, leaseTtlMs } = this.#o;
    this.#js = jetstream(nc);
    // markerTTL turns on per-message TTL (allow_msg_ttl) and leaves a delete marker when a key
    // expires, so watchers learn about it.
    this.#kv = await new Kvm(nc).create(bucket, { history: 1, markerTTL: Math.max(1000, leaseTtlMs) });
    const status = await this.#kv.status();
    const created = Date.parse(status.streamInfo.created);
    this.#epochBase = BigInt(Math.floor(created / 1000)) << 32n;
    this.#memberSeq = await this.#kv.create(
      `w.${this.#o.workerId}`,
      JSON.stringify({ since: new Date().toISOString() }),
      ttl(leaseTtlMs),
    );
    this.#members.add(this.#o.workerId);
    const watch = await this.#kv.watch({ key: ['w.*', 'p.*'] });
    this.#watchStop = () => watch.stop();
    void (async () => {
      for await (const entry of watch) this.#onEntry(entry);
    })().catch((error: unknown) => this.#o.log.error({ err: error }, 'cluster watch ended'));
    // Renewals run on their own timer, never behind a reconcile: taking over many partitions can take
    // longer than a lease's TTL on a busy machine, and a late renewal would lose leases we keep.
    this.#renewTimer = setInterval(() => this.#renew(), this.#o.renewIntervalMs);
    this.#timer = setInterval(() => this.#schedule(), this.#o.renewIntervalMs);
    this.#schedule();
  }

  /**
   * Graceful leave (SIGTERM): stop taking partitions, drain and release each held one (deleting its
   * lease so the next owner takes it at once), then leave the membership.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#reconciling;
    // Keep renewing while the partitions drain, so none expires half-way through the hand-over.
    // Release in parallel: a hand-over of every partition must fit in a pod's termination grace period.
    await inParallel(this.held(), (p) => this.#release(p));
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    await this.#renewing;
    await withTimeout(this.#kv?.delete(`w.${this.#o.workerId}`), 2000).catch(() => undefined);
    this.#watchStop?.();
  }

  /** Called by the worker when the database fence showed a newer owner: drop the lease. */
  fenced(partition: number): void {
    this.#held.delete(partition);
    this.#schedule();
  }

  #onEntry(entry: KvEntry): void {
    const [kind, id] = [entry.key.slice(0, 1), entry.key.slice(2)];
    if (kind === 'w') {
      if (entry.operation === 'PUT') this.#members.add(id);
      else this.#members.delete(id);
      this.#schedule();
    } else if (kind === 'p' && entry.operation !== 'PUT') {
      this.#schedule(); // a lease was released or expired: maybe ours to take
    }
  }

  /** Runs a reconcile now, or right after the one in progress. */
  #schedule(): void {
    if (this.#stopped) return;
    if (this.#reconciling) {
      this.#again = true;
      return;
    }
    this.#reconciling = this.#reconcile()
      .catch((error: unknown) => this.#o.log.error({ err: error }, 'cluster reconcile failed'))
      .finally(() => {
        this.#reconciling = undefined;
        if (this.#again) {
          this.#again = false;
          this.#schedule();
        }
      });
  }

  /** Renews membership and every held lease (skipped while the previous renewal still runs). */
  #renew(): void {
    if (this.#renewing) return;
    this.#renewing = (async () => {
      await this.#renewMembership();
      await this.#renewLeases();
    })()
      .catch((error: unknown) => this.#o.log.error({ err: error }, 'lease renewal failed'))
      .finally(() => {
        this.#renewing = undefined;
      });
  }

  async #reconcile(): Promise<void> {
    if (this.#stopped) return;
    const desired = new Set(partitionsFor(this.#o.workerId, this.members(), this.#o.partitionCount));
    // Hand over first what is no longer ours, so the new owner can start as early as possible.
    await inParallel(
      this.held().filter((p) => !desired.has(p)),
      (p) => this.#release(p),
    );
    await inParallel(
      [...desired].filter((p) => !this.#held.has(p)),
      (p) => (this.#stopped ? Promise.resolve() : this.#tryAcquire(p)),
    );
    const summary = `${this.#held.size}/${desired.size}/${this.#members.size}`;
    if (summary !== this.#lastSummary) {
      this.#lastSummary = summary;
      this.#o.log.info(
        { held: this.#held.size, assigned: desired.size, members: this.members() },
        'partition ownership changed',
      );
    }
  }

  async #renewMembership(): Promise<void> {
    if (this.#memberSeq === 0) return; // not joined yet
    const key = `w.${this.#o.workerId}`;
    try {
      this.#memberSeq = await this.#casPublish(
        key,
        JSON.stringify({ renewed: new Date().toISOString() }),
        this.#memberSeq,
      );
    } catch {
      // Our key expired (we were paused longer than the TTL) or was deleted: join again.
      this.#memberSeq = await this.#kv!.create(
        key,
        JSON.stringify({ since: new Date().toISOString() }),
        ttl(this.#o.leaseTtlMs),
      );
      this.#o.log.warn({ workerId: this.#o.workerId }, 'membership lapsed and was renewed');
    }
    this.#members.add(this.#o.workerId);
  }

  async #renewLeases(): Promise<void> {
    await Promise.all(
      this.held().map(async (p) => {
        const held = this.#held.get(p);
        if (!held) return;
        try {
          held.seq = await this.#casPublish(`p.${p}`, this.#o.workerId, held.seq);
        } catch {
          // The lease expired and someone else (or nobody yet) has it: stop serving. Writes already
          // in flight are refused by the database fence once the next owner raises it.
          this.#held.delete(p);
          this.#o.log.warn({ partition: p, epoch: held.epoch }, 'partition lease lost');
          await this.#o.owner.releasePartition(p, 'fenced');
        }
      }),
    );
  }

  async #tryAcquire(p: number): Promise<void> {
    let seq: number;
    try {
      seq = await this.#kv!.create(`p.${p}`, this.#o.workerId, ttl(this.#o.leaseTtlMs));
    } catch {
      return; // held by someone else until they release it or it expires
    }
    const epoch = (this.#epochBase + BigInt(seq)).toString();
    this.#held.set(p, { epoch, seq });
    const ok = await this.#o.owner.acquirePartition(p, epoch).catch((error: unknown) => {
      this.#o.log.error({ err: error, partition: p }, 'could not take over partition');
      return false;
    });
    if (!ok) {
      this.#held.delete(p);
      await this.#kv!.delete(`p.${p}`, { previousSeq: seq }).catch(() => undefined);
    }
  }

  async #release(p: number): Promise<void> {
    const held = this.#held.get(p);
    if (!held) return;
    this.#held.delete(p);
    await this.#o.owner.releasePartition(p, 'released');
    // Only delete our own lease (compare-and-set): if it expired meanwhile, leave the new one alone.
    // Bounded: with NATS unreachable the lease simply expires.
    await withTimeout(this.#kv!.delete(`p.${p}`, { previousSeq: held.seq }), 2000).catch(() => undefined);
  }

  /** Publishes a new value for a KV key only if it is still at `seq`, with a fresh TTL. */
  async #casPublish(key: string, value: string, seq: number): Promise<number> {
    const ack = await this.#js!.publish(`$KV.${this.#o.bucket}.${key}`, value, {
      expect: { lastSubjectSequence: seq },
      ttl: ttl(this.#o.leaseTtlMs),
    });
    return ack.seq;
  }
}

/** Runs `fn` over `items` with at most 8 at a time (bounded load on NATS and PostgreSQL). */
async function inParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>, limit = 8): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Rejects when `promise` has not settled within `ms`. */
function withTimeout<T>(promise: Promise<T> | undefined, ms: number): Promise<T | undefined> {
  if (!promise) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** A Go duration string for a TTL in milliseconds (NATS per-message TTLs have 1 s granularity). */
function ttl(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}
