import { describe, expect, it } from 'vitest';
import { ActorHost, type Actor, type DeactivationReason } from './actor-host.js';
import { Mailbox, MailboxFullError } from './mailbox.js';

describe('Mailbox', () => {
  it('runs tasks one at a time in order, even when one fails', async () => {
    const mb = new Mailbox();
    const log: string[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const task =
      (name: string, fail = false) =>
      async () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 5));
        log.push(name);
        concurrent--;
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      mb.post(task('a')),
      mb.post(task('b', true)),
      mb.post(task('c')),
    ]);
    expect(log).toEqual(['a', 'b', 'c']);
    expect(maxConcurrent).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('refuses posts beyond its capacity', async () => {
    const mb = new Mailbox(2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = mb.post(() => gate);
    await new Promise((r) => setTimeout(r, 0)); // let it start running
    const queued = [mb.post(() => 1), mb.post(() => 2)];
    await expect(mb.post(() => 3)).rejects.toBeInstanceOf(MailboxFullError);
    release();
    await first;
    await expect(Promise.all(queued)).resolves.toEqual([1, 2]);
  });
});

class Counter implements Actor {
  count = 0;
  events: string[] = [];
  constructor(
    readonly id: string,
    private readonly keep = false,
  ) {}
  onActivate(): Promise<void> {
    this.events.push('activate');
    return Promise.resolve();
  }
  onDeactivate(reason: DeactivationReason): Promise<void> {
    this.events.push(`deactivate:${reason}`);
    return Promise.resolve();
  }
  canPassivate(): boolean {
    return !this.keep;
  }
}

describe('ActorHost', () => {
  it('activates once per id and serialises messages per actor', async () => {
    const created: Counter[] = [];
    const host = new ActorHost({
      kind: 'counter',
      create: (id) => (created.push(new Counter(id)), created.at(-1)!),
    });
    await Promise.all(
      Array.from({ length: 50 }, () =>
        host.run('a', async (c) => {
          const v = c.count;
          await new Promise((r) => setTimeout(r, 0));
          c.count = v + 1; // would lose updates if messages overlapped
        }),
      ),
    );
    await host.run('b', (c) => c.count++);
    expect(created.map((c) => c.id)).toEqual(['a', 'b']);
    expect(created[0]!.count).toBe(50);
    expect(created[0]!.events).toEqual(['activate']);
    await host.shutdown();
    expect(created[0]!.events).toEqual(['activate', 'deactivate:shutdown']);
    await expect(host.run('a', () => 1)).rejects.toThrow(/shut down/);
  });

  it('passivates idle actors that allow it', async () => {
    let now = 0;
    const actors = new Map<string, Counter>();
    const host = new ActorHost({
      kind: 'counter',
      idleAfterMs: 1000,
      clock: { now: () => now },
      create: (id) => {
        const c = new Counter(id, id === 'pinned');
        actors.set(id, c);
        return c;
      },
    });
    await host.run('idle', () => undefined);
    await host.run('pinned', () => undefined);
    now = 5000;
    expect(await host.passivateIdle()).toBe(1);
    expect(host.has('idle')).toBe(false);
    expect(host.has('pinned')).toBe(true);
    expect(actors.get('idle')!.events).toEqual(['activate', 'deactivate:idle']);
    await host.shutdown();
  });

  it('retries activation after a failed one', async () => {
    let attempts = 0;
    const host = new ActorHost<Actor>({
      kind: 'flaky',
      create: () => ({
        onActivate: () => (++attempts === 1 ? Promise.reject(new Error('db down')) : Promise.resolve()),
      }),
    });
    await expect(host.run('x', () => 1)).rejects.toThrow('db down');
    await expect(host.run('x', () => 2)).resolves.toBe(2);
    expect(attempts).toBe(2);
    await host.shutdown();
  });
});
