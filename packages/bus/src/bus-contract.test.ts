import { describe, expect, it } from 'vitest';
import type { BusMessage } from './bus.js';
import { BusClosedError, NoRespondersError, RemoteHandlerError, RequestTimeoutError } from './errors.js';
import { deferred, implementations, prefix, waitUntil, useBusHarness } from './testing/bus-harness.js';

useBusHarness();

describe.each(implementations)('Bus contract: %s', (_name, makeHarness) => {
  it('delivers a publication to every subscriber, without reply expected', async () => {
    const { a, b } = await makeHarness();
    const p = prefix();
    const seen: string[] = [];
    const messages: BusMessage[] = [];
    await b.subscribe(`${p}.x`, (m) => {
      seen.push('one');
      messages.push(m);
    });
    await b.subscribe(`${p}.x`, () => void seen.push('two'));
    await b.subscribe(`${p}.other`, () => void seen.push('other'));
    await a.publish(`${p}.x`, { n: 1, s: 'é', list: [1, null, true] });
    await waitUntil(() => seen.length >= 2, 'both subscribers');
    await a.publish(`${p}.x`, 'sentinel');
    await waitUntil(() => seen.length >= 4, 'the sentinel');
    expect(seen.sort()).toEqual(['one', 'one', 'two', 'two']);
    expect(messages[0]).toEqual({
      subject: `${p}.x`,
      data: { n: 1, s: 'é', list: [1, null, true] },
      headers: {},
      expectsReply: false,
    });
  });

  it('matches `*` (one token) and `>` (one or more tokens)', async () => {
    const { a, b } = await makeHarness();
    const p = prefix();
    const star: string[] = [];
    const tail: string[] = [];
    await b.subscribe(`${p}.*`, (m) => void star.push(m.subject));
    await b.subscribe(`${p}.>`, (m) => void tail.push(m.subject));
    for (const s of [p, `${p}.a`, `${p}.a.b`, `${p}.a.b.c`, `${p}x.a`]) await a.publish(s, s);
    await a.publish(`${p}.end`, 'sentinel');
    await waitUntil(() => star.includes(`${p}.end`) && tail.includes(`${p}.end`), 'the sentinel');
    expect(star).toEqual([`${p}.a`, `${p}.end`]);
    expect(tail).toEqual([`${p}.a`, `${p}.a.b`, `${p}.a.b.c`, `${p}.end`]);
  });

  it('gives each message to exactly one member of a queue group, and to every plain subscriber', async () => {
    const { a, b } = await makeHarness();
    const p = prefix();
    const members: number[][] = [[], []];
    const plain: number[] = [];
    await b.subscribe<number>(`${p}.q`, (m) => void members[0]!.push(m.data), { queue: 'workers' });
    // On the NATS harness the second member is another connection, as another pod would be.
    await a.subscribe<number>(`${p}.q`, (m) => void members[1]!.push(m.data), { queue: 'workers' });
    await b.subscribe<number>(`${p}.q`, (m) => void plain.push(m.data));
    const n = 40;
    for (let i = 0; i < n; i++) await a.publish(`${p}.q`, i);
    await waitUntil(() => plain.length === n && members[0]!.length + members[1]!.length >= n, 'all messages');
    await new Promise((r) => setTimeout(r, 50)); // would let duplicates show up
    const all = [...members[0]!, ...members[1]!].sort((x, y) => x - y);
    expect(all).toEqual([...Array(n).keys()]);
    expect(plain.sort((x, y) => x - y)).toEqual([...Array(n).keys()]);
  });

  it('answers a request with the handler’s return value, sync or async', async () => {
    const { a, b } = await makeHarness();
    const p = prefix();
    let received: BusMessage<{ x: number }> | undefined;
    await b.subscribe<{ x: number }, { square: number }>(`${p}.sq`, (m) => {
      received = m;
      return { square: m.data.x * m.data.x };
    });
    await b.subscribe<number, string>(`${p}.later`, async (m) => {
      await new Promise((r) => setTimeout(r, 20));
      return `got ${m.data}`;
    });
    await expect(a.request(`${p}.sq`, { x: 7 }, { timeoutMs: 2_000 })).resolves.toEqual({ square: 49 });
    expect(received).toEqual({ subject: `${p}.sq`, data: { x: 7 }, headers: {}, expectsReply: true });
    await expect(a.request(`${p}.later`, 3, { timeoutMs: 2_000 })).resolves.toBe('got 3');
  });

  it('keeps undefined and null apart, in replies and in publications', async () => {
    const { a, b } = await makeHarness();
    const p = prefix();
    const published: BusMessage[] = [];
    await b.subscribe(`${p}.void`, () => undefined);
    await b.subscribe(`${p}.null`, () => null);
    await b.subscribe(`${p}.echo`, (m) => m.data);
    await b.subscribe(`${p}.pub`, (m) => void published.push(m));
    await expect(a.request(`${p}.void`, 1, { timeoutMs: 2_000 })).resolves.toBeUndefined();
    await expect(a.request(`${p}.null`, 1, { timeoutMs: 2_000 })).resolves.toBeNull();
    await expect(a.request(`${p}.echo`, undefined, { timeoutMs: 2_000 })).resolves.toBeUndefined();
    await expect(a.request(`${p}.echo`, null, { timeoutMs: 2_000 })).resolves.toBeNull();
    await a.publish(`${p}.pub`, undefined);
    await a.publish(`${p}.pub`, null);
    await waitUntil(() => published.length === 2, 'both publications');
    expect(published.map((m) => m.data)).toEqual([undefined, null]);
    expect(published[0]!.headers).toEqual({});
  });

  it('rejects at once with NoRespondersError when nobody listens', async () => {
    const { a } = await makeHarness();
    const p = prefix();
    const started = Date.now();
    const error = await a.request(`${p}.nobody`, 1, { timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoRespondersError);
    expect((error as NoRespondersError).subject).toBe(`${p}.nobody`);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('rejects with RequestTimeoutError when no reply comes in time', async () => {
    const { a, b } = await makeHarness();
    const p = prefix();
    await b.subscribe(`${p}.slow`, () => new Promise(() => {}));
    const started = Date.now();
    const error = await a.request(`${p}.slow`, 1, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ subject: `${p}.slow`, timeoutMs: 150 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('reports a responder’s failure as RemoteHandlerError with its message', async () => {
    const { a, b } = await makeHarness();
    const p = prefix();
    await b.subscribe(`${p}.boom`, () => {
      throw new Error('kaput');
    });
    await b.subscribe(`${p}.reject`, () => Promise.reject(new Error('line one\nline two: ü')));
    const error = await a.request(`${p}.boom`, 1, { timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteHandlerError);
    expect(error).toMatchObject({ subject: `${p}.boom`, remoteMessage: 'kaput' });
    await expect(a.request(`${p}.reject`, 1, { timeoutMs: 2_000 })).rejects.toMatchObject({
      name: 'RemoteHandlerError',
      remoteMessage: 'line one\nline two: ü',
    });
    // The responder survives its handler's failures.
    await b.subscribe(`${p}.ok`, () => 'still here');
    await expect(a.request(`${p}.ok`, 1, { timeoutMs: 2_000 })).resolves.toBe('still here');
  });

  it('hands failures of publication handlers to onHandlerError', async () => {
    const { a, b } = await makeHarness();
    const p = prefix();
    const failures: [string, string][] = [];
    b.onHandlerError = (error, subject) => void failures.push([subject, (error as Error).message]);
    await b.subscribe(`${p}.fail`, () => {
      throw new Error('sync failure');
    });
    await b.subscribe(`${p}.fail`, () => Promise.reject(new Error('async failure')));
    await a.publish(`${p}.fail`, 1);
    await waitUntil(() => failures.length === 2, 'both failures');
    expect(failures.sort()).toEqual([
      [`${p}.fail`, 'async failure'],
      [`${p}.fail`, 'sync failure'],
    ]);
  });

  it('runs the handlers of one subscription concurrently', async () => {
    const { a, b } = await makeHarness();
    const p = prefix();
    // The first message's handler can only finish once the second message's handler ran: a bus that
    // serialised a subscription's messages would time out here.
    const secondArrived = deferred();
    await b.subscribe<number, number>(`${p}.c`, async (m) => {
      if (m.data === 1) await secondArrived.promise;
      else secondArrived.resolve();
      return m.data;
    });
    const first = a.request(`${p}.c`, 1, { timeoutMs: 2_000 });
    const second = a.request(`${p}.c`, 2, { timeoutMs: 2_000 });
    await expect(Promise.all([first, second])).resolves.toEqual([1, 2]);
  });

  it('carries headers both ways: publications and requests', async () => {
    const { a, b } = await makeHarness();
    const p = prefix();
    // Keys keep their case; values may hold subject metacharacters and non-ASCII text.
    const headers = { 'csms-station-id': 'CP.01 * >', 'X-Trace-Id': 'abc-123', note: 'Grüße' };
    const seen: BusMessage[] = [];
    await b.subscribe(`${p}.h`, (m) => void seen.push(m));
    await b.subscribe(`${p}.hr`, (m) => m.headers);
    await a.publish(`${p}.h`, 1, { headers });
    await waitUntil(() => seen.length === 1, 'the publication');
    expect(seen[0]!.headers).toEqual(headers);
    await expect(a.request(`${p}.hr`, 1, { timeoutMs: 2_000, headers })).resolves.toEqual(headers);
    await expect(a.request(`${p}.hr`, 1, { timeoutMs: 2_000 })).resolves.toEqual({});
  });

  it('stops delivering after unsubscribe, and requests then find no responders', async () => {
    const { a, b } = await makeHarness();
    const p = prefix();
    const seen: string[] = [];
    const sub = await b.subscribe(`${p}.u`, (m) => {
      seen.push(`u:${String(m.data)}`);
      return 'here';
    });
    await b.subscribe(`${p}.sentinel`, (m) => void seen.push(`s:${String(m.data)}`));
    await expect(a.request(`${p}.u`, 0, { timeoutMs: 2_000 })).resolves.toBe('here');
    expect(sub.subject).toBe(`${p}.u`);
    await sub.unsubscribe();
    await expect(a.request(`${p}.u`, 1, { timeoutMs: 2_000 })).rejects.toBeInstanceOf(NoRespondersError);
    await a.publish(`${p}.u`, 2);
    await a.publish(`${p}.sentinel`, 3);
    await waitUntil(() => seen.includes('s:3'), 'the sentinel');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['u:0', 's:3']);
    await sub.unsubscribe(); // idempotent
  });

  it('has subscribe and unsubscribe in effect, for other clients too, once they resolve', async () => {
    const { a, b } = await makeHarness();
    const p = prefix();
    // Over NATS both must be acknowledged by the server before they resolve; otherwise a request sent
    // right after may find no responders yet, or still be routed to the closing subscription and time
    // out. The race is narrow, hence the repetitions.
    const wrong: string[] = [];
    for (let i = 0; i < 100; i++) {
      const subject = `${p}.${i}`;
      const sub = await b.subscribe(subject, () => 'here');
      const before = await a.request(subject, i, { timeoutMs: 500 }).catch((e: unknown) => e);
      if (before !== 'here') wrong.push(`${i} after subscribe: ${String(before)}`);
      await sub.unsubscribe();
      const after = await a.request(subject, i, { timeoutMs: 500 }).catch((e: unknown) => e);
      if (!(after instanceof NoRespondersError)) wrong.push(`${i} after unsubscribe: ${String(after)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('lets a running handler deliver its reply when the responder closes', async () => {
    const { a, b } = await makeHarness();
    const p = prefix();
    const started = deferred();
    await b.subscribe<number, number>(`${p}.drain`, async (m) => {
      started.resolve();
      await new Promise((r) => setTimeout(r, 100));
      return m.data * 2;
    });
    const reply = a.request(`${p}.drain`, 21, { timeoutMs: 2_000 });
    await started.promise;
    const closing = b.close();
    await expect(reply).resolves.toBe(42);
    await closing;
  });

  it('keeps the order of what one client sends, and sends what was queued before close', async () => {
    const { a, b } = await makeHarness();
    const p = prefix();
    const seen: number[] = [];
    await b.subscribe<number>(`${p}.seq`, (m) => void seen.push(m.data));
    // Sent in one synchronous run without awaiting (as many actors do within one I/O phase), then closed at once.
    const sent = Array.from({ length: 200 }, (_, i) => a.publish(`${p}.seq`, i));
    const closed = a.close();
    await Promise.all(sent);
    await closed;
    await waitUntil(() => seen.length >= 200, 'all 200 publications');
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('rejects every operation with BusClosedError after close', async () => {
    const { a } = await makeHarness();
    const p = prefix();
    await a.subscribe(`${p}.x`, () => 1);
    await a.close();
    await a.close(); // idempotent
    await expect(a.publish(`${p}.x`, 1)).rejects.toBeInstanceOf(BusClosedError);
    await expect(a.request(`${p}.x`, 1, { timeoutMs: 500 })).rejects.toBeInstanceOf(BusClosedError);
    await expect(a.subscribe(`${p}.x`, () => 1)).rejects.toBeInstanceOf(BusClosedError);
  });
});
