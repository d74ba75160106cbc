// An L4 balancer for the tests, independent of the lab's: each TCP connection is piped to an
// upstream picked at random, as kube-proxy's iptables rules pick one per connection.
import net from 'node:net';

/** A listening L4 proxy; `address` is `127.0.0.1:PORT`. */
export interface L4Proxy {
  readonly address: string;
  /** Connections accepted so far. */
  readonly connections: () => number;
  close(): Promise<void>;
}

/** Listens on `host`:0 and pipes each connection to a random one of `upstreams` (`host:port`). */
export async function startL4Proxy(upstreams: readonly string[], host = '127.0.0.1'): Promise<L4Proxy> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted += 1;
    const [upstreamHost, upstreamPort] = (upstreams[Math.floor(Math.random() * upstreams.length)] as string).split(':') as [string, string];
    const upstream = net.connect(Number(upstreamPort), upstreamHost);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `${host}:${port}`,
    connections: () => accepted,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
