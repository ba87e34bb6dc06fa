import { describe, expect, it } from 'vitest';
import { MemoryBus } from './memory-bus.js';
import { NoRespondersError, RemoteHandlerError, RequestTimeoutError } from './errors.js';
import { Subjects, stationOfSubject, subjectMatches } from './subjects.js';
import { PARTITION_COUNT, partitionOf } from './partition.js';

describe('subjects', () => {
  it('matches NATS wildcards', () => {
    expect(subjectMatches('a.*', 'a.b')).toBe(true);
    expect(subjectMatches('a.*', 'a.b.c')).toBe(false);
    expect(subjectMatches('a.>', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.>', 'a')).toBe(false);
    expect(subjectMatches('a.b', 'a.b')).toBe(true);
    expect(subjectMatches('a.b', 'a.c')).toBe(false);
  });

  it('encodes station ids with subject metacharacters into one token', () => {
    for (const id of ['CP.01', 'a*b', 'x>y', 'with space', 'ünï/cødé%']) {
      const subject = Subjects.inboundCall(id);
      expect(subject.split('.')).toHaveLength(4);
      expect(subjectMatches(Subjects.inboundCalls('*'), subject)).toBe(true);
      expect(subjectMatches(Subjects.inboundCalls(partitionOf(id)), subject)).toBe(true);
      expect(subjectMatches(Subjects.inboundCalls((partitionOf(id) + 1) % PARTITION_COUNT), subject)).toBe(
        false,
      );
      expect(stationOfSubject(subject)).toBe(id);
    }
  });
});

describe('MemoryBus', () => {
  it('delivers publications to every matching subscriber asynchronously', async () => {
    const bus = new MemoryBus();
    const seen: string[] = [];
    await bus.subscribe('x.*', (m) => void seen.push(`w:${m.subject}`));
    await bus.subscribe('x.1', (m) => void seen.push(`l:${m.subject}`));
    await bus.publish('x.1', {});
    expect(seen).toEqual([]);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen.sort()).toEqual(['l:x.1', 'w:x.1']);
  });

  it('answers requests, and fails fast with no responders', async () => {
    const bus = new MemoryBus();
    await bus.subscribe<number, number>('sq', (m) => m.data * m.data);
    await expect(bus.request('sq', 7, { timeoutMs: 100 })).resolves.toBe(49);
    await expect(bus.request('nobody', 1, { timeoutMs: 100 })).rejects.toBeInstanceOf(NoRespondersError);
  });

  it('times out and reports remote failures', async () => {
    const bus = new MemoryBus();
    await bus.subscribe('slow', () => new Promise(() => {}));
    await bus.subscribe('boom', () => {
      throw new Error('kaput');
    });
    await expect(bus.request('slow', 1, { timeoutMs: 20 })).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(bus.request('boom', 1, { timeoutMs: 100 })).rejects.toBeInstanceOf(RemoteHandlerError);
  });

  it('gives each message to one member of a queue group', async () => {
    const bus = new MemoryBus();
    const hits = [0, 0];
    await bus.subscribe('q', () => void hits[0]!++, { queue: 'g' });
    await bus.subscribe('q', () => void hits[1]!++, { queue: 'g' });
    for (let i = 0; i < 10; i++) await bus.publish('q', i);
    await new Promise((r) => setTimeout(r, 0));
    expect(hits).toEqual([5, 5]);
  });

  it('stops delivering after unsubscribe', async () => {
    const bus = new MemoryBus();
    const sub = await bus.subscribe('u', () => 1);
    await sub.unsubscribe();
    expect(bus.subscriptionCount).toBe(0);
    await expect(bus.request('u', 1, { timeoutMs: 50 })).rejects.toBeInstanceOf(NoRespondersError);
  });

  it('reaches the subscriptions of the moment for a subject already used (its route is not kept stale)', async () => {
    const bus = new MemoryBus();
    const seen: string[] = [];
    const first = await bus.subscribe('s.1.call', () => void seen.push('literal'));
    await bus.publish('s.1.call', 1);
    const wildcard = await bus.subscribe('s.*.call', () => void seen.push('wildcard'));
    await bus.publish('s.1.call', 2);
    await first.unsubscribe();
    await bus.publish('s.1.call', 3);
    await wildcard.unsubscribe();
    await bus.publish('s.1.call', 4);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen.sort()).toEqual(['literal', 'literal', 'wildcard', 'wildcard']);
    await expect(bus.request('s.1.call', 5, { timeoutMs: 50 })).rejects.toBeInstanceOf(NoRespondersError);
  });

  it('keeps every subject right while literal subscriptions of other subjects come and go', async () => {
    const bus = new MemoryBus();
    const seen: string[] = [];
    await bus.subscribe('s.*.call', (m) => void seen.push(`wildcard ${m.subject}`));
    await bus.subscribe('s.1.call', () => void seen.push('s.1 literal'));
    await bus.publish('s.1.call', 1);
    await bus.publish('s.2.call', 1);
    // A literal subscription of another subject (a station connecting) leaves s.1's route as it is …
    const other = await bus.subscribe('s.2.call', () => void seen.push('s.2 literal'));
    await bus.publish('s.1.call', 2);
    // … and its own subject, routed before without it, now reaches it too, and no longer once it is gone.
    await bus.publish('s.2.call', 2);
    await other.unsubscribe();
    await bus.publish('s.2.call', 3);
    await new Promise((r) => setTimeout(r, 0));
    expect(seen.sort()).toEqual([
      's.1 literal',
      's.1 literal',
      's.2 literal',
      'wildcard s.1.call',
      'wildcard s.1.call',
      'wildcard s.2.call',
      'wildcard s.2.call',
      'wildcard s.2.call',
    ]);
  });
});

describe('partitionOf', () => {
  it('is stable and spreads station ids evenly', () => {
    expect(partitionOf('CP001')).toBe(partitionOf('CP001'));
    const counts = new Array<number>(PARTITION_COUNT).fill(0);
    for (let i = 0; i < 25_600; i++) counts[partitionOf(`station-${i}`)]!++;
    // 100 per partition on average; FNV-1a keeps every partition within a reasonable band.
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
  });
});
