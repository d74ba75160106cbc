// A ClusterIP-like virtual IP: a TCP listener that sends each new connection, whole, to one
// backend, the way kube-proxy balances a Service: per connection, never per RPC.
import { EventEmitter } from 'node:events';
import { boundAddress, listen } from './listen.js';
import net from 'node:net';

/**
 * How the VIP picks a backend for a new connection:
 * - `iptables`: uniformly at random (kube-proxy iptables mode: a chain of `statistic --mode
 *   random --probability 1/n` rules, one per endpoint; Kubernetes docs, "Virtual IPs and
 *   Service Proxies").
 * - `ipvs-rr`: in turn (kube-proxy IPVS mode with its default `rr` scheduler).
 */
export type ClusterIpMode = 'iptables' | 'ipvs-rr';

/** The backends a new connection may go to, read at every connection (`host:port` each). */
export type EndpointSource = () => readonly string[];

function splitAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(address.slice(colon + 1)) };
}

/**
 * The VIP. Events: `connection` (backend address) for each connection it forwards.
 */
export class L4Vip extends EventEmitter {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private nextIndex = 0;
  /** Connections forwarded, per backend address. */
  readonly connections = new Map<string, number>();

  constructor(
    private readonly endpoints: EndpointSource,
    private readonly mode: ClusterIpMode = 'iptables',
  ) {
    super();
    this.server = net.createServer((client) => this.forward(client));
  }

  /**
   * Listens on `host:port`.
   * @throws Error (the listener's, e.g. EADDRINUSE / EADDRNOTAVAIL) when it cannot bind.
   */
  start(host: string, port: number): Promise<void> {
    return listen(this.server, host, port);
  }

  /** `host:port` of the VIP. */
  get address(): string {
    return boundAddress(this.server);
  }

  /** Stops listening and cuts every forwarded connection. */
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private pick(): string | undefined {
    const endpoints = this.endpoints();
    if (endpoints.length === 0) return undefined;
    if (this.mode === 'ipvs-rr') {
      const endpoint = endpoints[this.nextIndex % endpoints.length];
      this.nextIndex += 1;
      return endpoint;
    }
    return endpoints[Math.floor(Math.random() * endpoints.length)];
  }

  private forward(client: net.Socket): void {
    const backend = this.pick();
    if (backend === undefined) {
      // No endpoints: kube-proxy rejects (ICMP unreachable); a reset is the closest here.
      client.resetAndDestroy();
      return;
    }
    this.connections.set(backend, (this.connections.get(backend) ?? 0) + 1);
    this.emit('connection', backend);
    const upstream = net.connect(splitAddress(backend));
    this.sockets.add(client);
    this.sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
  }
}
