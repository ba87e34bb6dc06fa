import net from 'node:net';

/**
 * A layer-4 TCP load balancer on 127.0.0.1, like the LoadBalancer in front of the edge pods: each
 * client connection is piped to the next backend (round-robin) that accepts it; a backend that
 * refuses is skipped. When an edge dies, its stations' sockets close and their reconnects land on
 * a surviving edge, without the stations knowing.
 */
export interface TcpBalancer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startTcpBalancer(backendPorts: readonly number[]): Promise<TcpBalancer> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    const tryBackend = (attempt: number): void => {
      if (attempt >= backendPorts.length) {
        client.destroy();
        return;
      }
      const port = backendPorts[next++ % backendPorts.length] as number;
      const upstream = net.connect({ host: '127.0.0.1', port });
      upstream.once('connect', () => {
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        client.pipe(upstream).pipe(client);
        client.resume();
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', end);
        upstream.on('error', end);
        client.on('close', end);
        upstream.on('close', end);
      });
      upstream.once('error', () => tryBackend(attempt + 1));
    };
    tryBackend(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
