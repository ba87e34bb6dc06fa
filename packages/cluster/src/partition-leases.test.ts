import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from '@csms/bus/nats';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { startNatsServer, type NatsServer } from '@csms/test-servers';
import { PartitionLeases, type PartitionOwner } from './partition-leases.js';

const PARTITIONS = 16;
const silent = { info: () => {}, warn: () => {}, error: () => {} };

/** Records what the lease manager asks of its worker. */
class RecordingOwner implements PartitionOwner {
  readonly serving = new Map<number, string>();
  readonly events: string[] = [];
  acquirePartition(partition: number, epoch: string): Promise<boolean> {
    this.serving.set(partition, epoch);
    this.events.push(`+${partition}`);
    return Promise.resolve(true);
  }
  releasePartition(partition: number, event: 'released' | 'fenced' = 'released'): Promise<void> {
    this.serving.delete(partition);
    this.events.push(`-${partition}:${event}`);
    return Promise.resolve();
  }
}

let server: NatsServer;
const connections: NatsConnection[] = [];
beforeAll(async () => {
  server = await startNatsServer({ jetstream: true });
});
afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
  await server.stop();
});

async function member(id: string, bucket: string, owner = new RecordingOwner()) {
  const nc = await connectNats({ servers: server.url, name: id });
  connections.push(nc);
  const leases = new PartitionLeases({
    nc,
    workerId: id,
    owner,
    partitionCount: PARTITIONS,
    log: silent,
    bucket,
    leaseTtlMs: 2000,
    renewIntervalMs: 500,
  });
  await leases.start();
  return { nc, owner, leases };
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}

/** Every partition is served by exactly one of the owners. */
function exactlyOnce(owners: RecordingOwner[]): boolean {
  for (let p = 0; p < PARTITIONS; p++) if (owners.filter((o) => o.serving.has(p)).length !== 1) return false;
  return true;
}

describe('PartitionLeases', () => {
  it('spreads partitions over members and hands them over gracefully on join and leave', async () => {
    const a = await member('w-a', 'leases_join');
    await until(() => a.owner.serving.size === PARTITIONS, 5000);
    const b = await member('w-b', 'leases_join');
    await until(() => exactlyOnce([a.owner, b.owner]) && b.owner.serving.size > 0, 5000);
    expect(a.owner.serving.size + b.owner.serving.size).toBe(PARTITIONS);
    expect(a.owner.events.filter((e) => e.endsWith(':released')).length).toBe(b.owner.serving.size);
    // Epochs grow with every acquisition.
    const epochs = [...a.owner.serving.values(), ...b.owner.serving.values()].map(BigInt);
    expect(new Set(epochs).size).toBe(PARTITIONS);

    await b.leases.stop(); // graceful: releases and deletes its leases
    expect(b.owner.serving.size).toBe(0);
    const took = await until(() => a.owner.serving.size === PARTITIONS, 3000);
    expect(took).toBeLessThan(1500); // immediate, not after a TTL
    await a.leases.stop();
  });

  it('takes over a crashed member’s partitions once its leases expire', async () => {
    const a = await member('w-c', 'leases_crash');
    const b = await member('w-d', 'leases_crash');
    await until(
      () => exactlyOnce([a.owner, b.owner]) && a.owner.serving.size > 0 && b.owner.serving.size > 0,
      5000,
    );
    const bOwned = [...b.owner.serving.keys()];
    const bEpochs = new Map(b.owner.serving);
    // Crash: the connection vanishes without releasing anything.
    await b.nc.close();
    const took = await until(() => a.owner.serving.size === PARTITIONS, 8000);
    expect(took).toBeLessThan(5000);
    for (const p of bOwned) expect(BigInt(a.owner.serving.get(p)!)).toBeGreaterThan(BigInt(bEpochs.get(p)!));
    await a.leases.stop();
  });

  it('stops serving a partition whose lease it lost, and takes it again under a newer epoch', async () => {
    const a = await member('w-e', 'leases_lost');
    await until(() => a.owner.serving.size === PARTITIONS, 5000);
    const oldEpoch = BigInt(a.owner.serving.get(3)!);
    // As if the lease had expired while w-e was frozen: the key vanishes under it.
    const kv = await new Kvm(a.nc).open('leases_lost');
    await kv.purge('p.3');
    await until(() => a.owner.events.includes('-3:fenced'), 5000);
    await until(() => a.owner.serving.has(3), 5000);
    expect(BigInt(a.owner.serving.get(3)!)).toBeGreaterThan(oldEpoch);
    await a.leases.stop();
  });
});
