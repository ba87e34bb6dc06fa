import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startNatsServer } from '@csms/test-servers';
import { BusClosedError, NoRespondersError, RequestTimeoutError } from './errors.js';
import {
  JetStreamUnavailableError,
  NatsBus,
  NatsServerTooOldError,
  assertServerFeatures,
  assertServerInfo,
  compareServerVersions,
  connectNats,
  isServerVersionAtLeast,
} from './nats/index.js';
import { deferred, natsBus, natsUrl, open, prefix, servers, useBusHarness } from './testing/bus-harness.js';

useBusHarness();

describe('NatsBus specifics', () => {
  it('accepts the test server (>= 2.11, JetStream on)', async () => {
    const nc = await connectNats({ servers: natsUrl(), name: 'bus-contract-features' });
    try {
      expect(isServerVersionAtLeast(nc.info!.version)).toBe(true);
      await expect(assertServerFeatures(nc)).resolves.toBeUndefined();
    } finally {
      await nc.close();
    }
    expect(() => assertServerInfo(undefined)).toThrow(/not connected/);
  });

  it('compares server versions numerically per component', () => {
    expect(compareServerVersions('2.9.10', '2.11.0')).toBeLessThan(0);
    expect(compareServerVersions('2.10.27', '2.11.0')).toBeLessThan(0);
    expect(compareServerVersions('2.11.0', '2.11.0')).toBe(0);
    expect(compareServerVersions('v2.11.0', '2.11.0')).toBe(0);
    expect(compareServerVersions('2.15.1', '2.11.0')).toBeGreaterThan(0);
    expect(compareServerVersions('2.11.0-RC.1', '2.11.0')).toBeLessThan(0);
    expect(compareServerVersions('3.0.0', '2.99.99')).toBeGreaterThan(0);
    expect(() => compareServerVersions('latest', '2.11.0')).toThrow(TypeError);
    expect(['2.9.10', '2.10.27', '2.11.0', '2.15.1'].map((v) => isServerVersionAtLeast(v))).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(isServerVersionAtLeast('garbage')).toBe(false);
  });

  it('refuses a server INFO that is too old or lacks JetStream, naming the version and the reason', () => {
    for (const version of ['2.9.10', '2.10.27']) {
      let error: unknown;
      try {
        assertServerInfo({ version, jetstream: true });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NatsServerTooOldError);
      expect(error).toMatchObject({ foundVersion: version, requiredVersion: '2.11.0' });
      expect((error as Error).message).toMatch(new RegExp(`${version.replaceAll('.', '\\.')}.*2\\.11.*TTL`));
    }
    expect(() => assertServerInfo({ version: '2.11.0', jetstream: true })).not.toThrow();
    expect(() => assertServerInfo({ version: '2.15.1', jetstream: false })).toThrow(
      JetStreamUnavailableError,
    );
  });

  it('refuses a real server running without JetStream', async () => {
    const server = await startNatsServer({ jetstream: false });
    servers.push(server);
    await expect(connectNats({ servers: server.url, name: 'no-js' })).rejects.toBeInstanceOf(
      JetStreamUnavailableError,
    );
  });

  // Debian bookworm's own nats-server (2.9.10), when the machine has it: the real case the check exists for.
  const systemServer = '/usr/sbin/nats-server';
  const systemVersion = existsSync(systemServer)
    ? /v(\d+\.\d+\.\d+)/.exec(spawnSync(systemServer, ['--version'], { encoding: 'utf8' }).stdout)?.[1]
    : undefined;
  it.skipIf(systemVersion === undefined || isServerVersionAtLeast(systemVersion))(
    `refuses the machine's old nats-server (${systemVersion ?? 'absent'})`,
    async () => {
      const server = await startNatsServer({ jetstream: true, binary: systemServer });
      servers.push(server);
      const error = await connectNats({ servers: server.url, name: 'old' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NatsServerTooOldError);
      expect(error).toMatchObject({ foundVersion: systemVersion });
    },
  );

  it('keeps working across server restarts and crashes without a new bus', async () => {
    const server = await startNatsServer({ jetstream: true });
    servers.push(server);
    const requester = await natsBus(server.url, 'restart-requester');
    const responder = await natsBus(server.url, 'restart-responder');
    open.push({
      a: requester,
      b: responder,
      close: async () => void (await Promise.all([requester.close(), responder.close()])),
    });
    const p = prefix();
    await responder.subscribe<number, number>(`${p}.inc`, (m) => m.data + 1);
    await expect(requester.request(`${p}.inc`, 1, { timeoutMs: 2_000 })).resolves.toBe(2);

    for (const outage of ['restart', 'crash'] as const) {
      const reconnected = Promise.all([requester, responder].map((bus) => nextReconnect(bus)));
      if (outage === 'crash') await server.kill('SIGKILL');
      await server.restart();
      await reconnected;
      // The client re-sends its subscriptions on reconnect; the flush makes sure the server has them.
      await responder.connection.flush();
      await expect(requester.request(`${p}.inc`, 41, { timeoutMs: 2_000 })).resolves.toBe(42);
    }
  });

  it('matches each reply to its request by its inbox token, drops a late one, and keeps nothing pending', async () => {
    const requester = await natsBus(natsUrl(), 'inbox-requester');
    const responder = await natsBus(natsUrl(), 'inbox-responder');
    open.push({
      a: requester,
      b: responder,
      close: async () => void (await Promise.all([requester.close(), responder.close()])),
    });
    const p = prefix();
    // Answers in the reverse order of arrival: the replies cross on the wire.
    const held: (() => void)[] = [];
    await responder.subscribe<number, number>(`${p}.slow`, (m) => {
      return new Promise<number>((resolve) => {
        held.push(() => resolve(m.data * 10));
        if (held.length === 20) for (const release of held.reverse()) release();
      });
    });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => requester.request<number>(`${p}.slow`, i, { timeoutMs: 5_000 })),
    );
    expect(answers).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
    expect(requester.pendingRequestCount).toBe(0);

    // A reply after its request timed out goes nowhere; the next request gets its own answer.
    const late = deferred();
    await responder.subscribe<number, number>(`${p}.late`, async (m) => {
      if (m.data === 1) await late.promise;
      return m.data;
    });
    await expect(requester.request(`${p}.late`, 1, { timeoutMs: 100 })).rejects.toBeInstanceOf(
      RequestTimeoutError,
    );
    expect(requester.pendingRequestCount).toBe(0);
    late.resolve();
    await expect(requester.request(`${p}.late`, 2, { timeoutMs: 5_000 })).resolves.toBe(2);
    await expect(requester.request(`${p}.nobody`, 3, { timeoutMs: 5_000 })).rejects.toBeInstanceOf(
      NoRespondersError,
    );
    expect(requester.pendingRequestCount).toBe(0);
  });

  it('fails a request at once when the server refuses its publication or the reply subscription', async () => {
    const server = await startNatsServer({
      jetstream: false,
      config: `authorization {
        users = [
          { user: "requester", password: "r", permissions: { publish: { deny: ["forbidden.>"] } } },
          { user: "no-inbox", password: "n", permissions: { subscribe: { deny: ["_INBOX.>"] } } },
          { user: "responder", password: "s" }
        ]
      }`,
    });
    servers.push(server);
    const as = async (user: string, pass: string) =>
      new NatsBus(
        await connectNats({
          servers: server.url,
          name: `permissions-${user}`,
          checkServerFeatures: false,
          connectionOptions: { user, pass },
        }),
      );
    const requester = await as('requester', 'r');
    const noInbox = await as('no-inbox', 'n');
    const responder = await as('responder', 's');
    open.push({
      a: requester,
      b: responder,
      close: async () => void (await Promise.all([requester.close(), noInbox.close(), responder.close()])),
    });
    const p = prefix();
    await responder.subscribe<number, number>(`${p}.echo`, (m) => m.data);
    await responder.subscribe<number, number>(`forbidden.${p}`, (m) => m.data);
    await expect(requester.request(`${p}.echo`, 1, { timeoutMs: 5_000 })).resolves.toBe(1);

    let started = Date.now();
    await expect(requester.request(`forbidden.${p}`, 2, { timeoutMs: 5_000 })).rejects.toThrow(
      /Permissions Violation for Publish to "forbidden\./i,
    );
    expect(Date.now() - started).toBeLessThan(4_000);
    await expect(requester.request(`${p}.echo`, 3, { timeoutMs: 5_000 })).resolves.toBe(3);

    for (const n of [4, 5]) {
      started = Date.now();
      await expect(noInbox.request(`${p}.echo`, n, { timeoutMs: 5_000 })).rejects.toThrow(
        /no replies can arrive: .*Permissions Violation for Subscription to "_INBOX\./i,
      );
      expect(Date.now() - started).toBeLessThan(4_000);
    }
    expect(requester.pendingRequestCount + noInbox.pendingRequestCount).toBe(0);
  });

  it('closes within closeTimeoutMs despite a hung handler or an unreachable server', async () => {
    const server = await startNatsServer({ jetstream: true });
    servers.push(server);
    const connect = (name: string) => connectNats({ servers: server.url, name, reconnectTimeWaitMs: 100 });
    const requester = new NatsBus(await connect('close-requester'));
    const stuck = new NatsBus(await connect('close-stuck'), { closeTimeoutMs: 300 });
    const orphan = new NatsBus(await connect('close-orphan'), { closeTimeoutMs: 300 });
    open.push({
      a: requester,
      b: stuck,
      close: async () => void (await Promise.all([requester.close(), stuck.close(), orphan.close()])),
    });
    const p = prefix();
    const entered = deferred();
    await stuck.subscribe(`${p}.hang`, () => {
      entered.resolve();
      return new Promise(() => {});
    });
    const pending = requester.request(`${p}.hang`, 1, { timeoutMs: 5_000 }).catch((e: unknown) => e);
    await entered.promise;
    let started = Date.now();
    await stuck.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(stuck.connection.isClosed()).toBe(true);
    await requester.close();
    expect(await pending).toBeInstanceOf(BusClosedError);

    await orphan.subscribe(`${p}.x`, () => 1);
    await server.kill('SIGKILL');
    started = Date.now();
    await orphan.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(orphan.connection.isClosed()).toBe(true);
  });
});

/** Resolves on the connection's next `reconnect` status. */
async function nextReconnect(bus: NatsBus): Promise<void> {
  for await (const status of bus.connection.status()) {
    if (status.type === 'reconnect') return;
  }
  throw new Error('connection closed before reconnecting');
}

describe('@csms/bus entry points', () => {
  it('keeps NATS code out of the main entry (the embedded app must not load it)', () => {
    const src = dirname(fileURLToPath(import.meta.url));
    const offenders = readdirSync(src)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .filter((f) => /from '(@nats-io\/|\.\/nats\/)/.test(readFileSync(join(src, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('exposes NatsBus under the ./nats subpath', async () => {
    const mod = await import('@csms/bus/nats');
    expect(mod.NatsBus).toBe(NatsBus);
    expect(typeof mod.connectNats).toBe('function');
  });
});
