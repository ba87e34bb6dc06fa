import net from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (the server started on it may still race). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether `port` can be listened on (127.0.0.1) right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// Below Linux's ephemeral range (32768..60999 by default): no outgoing connection and no listener on port 0
// can take one of these ports between the check and the server's own listen. A fail-over run once lost an
// edge to that race when its fixed port fell inside the ephemeral range.
const LOW = 10_000;
const HIGH = 32_000;

/**
 * For each count, the first of that many consecutive ports, each free right now; the ranges do not overlap.
 * For processes that must be told their port before they start (a cluster's edges and gRPC services).
 */
export async function freePortRanges(...counts: number[]): Promise<number[]> {
  const taken: Array<[number, number]> = [];
  const bases: number[] = [];
  for (const count of counts) {
    let base: number | undefined;
    for (let attempt = 0; attempt < 50 && base === undefined; attempt++) {
      const candidate = LOW + Math.floor(Math.random() * (HIGH - LOW - count));
      if (taken.some(([from, to]) => candidate < to && from < candidate + count)) continue;
      let ok = true;
      for (let i = 0; i < count && ok; i++) ok = await portIsFree(candidate + i);
      if (ok) base = candidate;
    }
    if (base === undefined) throw new Error(`no ${count} consecutive free ports found in ${LOW}..${HIGH}`);
    taken.push([base, base + count]);
    bases.push(base);
  }
  return bases;
}
