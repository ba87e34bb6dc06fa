/**
 * What the bus tests share (`bus-contract.test.ts`, `nats-bus.test.ts`): the two implementations as harnesses,
 * the shared test NATS server, and small waiting helpers. Only this package's tests import it.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, inject } from 'vitest';
import type { NatsServer } from '@csms/test-servers';
import type { Bus } from '../bus.js';
import { MemoryBus } from '../memory-bus.js';
import { NatsBus, connectNats } from '../nats/index.js';

/**
 * Two ends of one bus: `a` publishes and requests, `b` subscribes and answers. For MemoryBus they are
 * the same object; for NATS, two connections, so every message really crosses the server.
 */
export interface Harness {
  readonly a: Bus;
  readonly b: Bus & { onHandlerError: (error: unknown, subject: string) => void };
  close(): Promise<void>;
}

export type Factory = () => Promise<Harness>;

export const open: Harness[] = [];
export const servers: NatsServer[] = [];

/** The shared test NATS server (see test/support/global-setup.ts). */
export function natsUrl(): string {
  const url = inject('natsUrl');
  if (!url) throw new Error(`no NATS server for the tests: ${inject('natsError') || 'natsUrl not provided'}`);
  return url;
}

export async function natsBus(url: string, name: string): Promise<NatsBus> {
  // Short reconnect waits keep the restart test quick; production uses connectNats' defaults.
  // closeTimeoutMs: the timeout test leaves a handler hanging, which close() would otherwise wait for.
  return new NatsBus(
    await connectNats({ servers: url, name, reconnectTimeWaitMs: 100, reconnectJitterMs: 100 }),
    { closeTimeoutMs: 500 },
  );
}

export const implementations: ReadonlyArray<readonly [string, Factory]> = [
  [
    'MemoryBus',
    () => {
      const bus = new MemoryBus();
      const h: Harness = { a: bus, b: bus, close: () => bus.close() };
      open.push(h);
      return Promise.resolve(h);
    },
  ],
  [
    'NatsBus',
    async () => {
      const url = natsUrl();
      const a = await natsBus(url, 'bus-contract-a');
      const b = await natsBus(url, 'bus-contract-b');
      const h: Harness = { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
      open.push(h);
      return h;
    },
  ],
];

/** A subject prefix of its own per test, since all tests share one NATS server. */
export function prefix(): string {
  return `contract.${randomUUID().replaceAll('-', '')}`;
}

export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Registers the set-up and tear-down hooks of a test file that uses these helpers. */
export function useBusHarness(): void {
  afterEach(async () => {
    await Promise.allSettled(open.splice(0).map((h) => h.close()));
    await Promise.allSettled(servers.splice(0).map((s) => s.stop()));
  });
}
