// An L7 HTTP/2 proxy in the Envoy / Istio-sidecar model: it terminates the client's HTTP/2
// connection and picks a backend per RPC (per stream), round robin, over persistent HTTP/2
// sessions to each backend. It forwards gRPC faithfully: headers, messages, trailers,
// trailers-only errors, deadlines and cancellation.
import { EventEmitter } from 'node:events';
import { boundAddress, listen } from './listen.js';
import http2 from 'node:http2';
import type { EndpointSource } from './l4-vip.js';
import { ProxiedCall } from './proxied-call.js';

/**
 * The proxy. Events: `rpc` (backend address) each time a stream is sent to a backend,
 * `retry` (backend address) when a refused stream is sent again elsewhere.
 */
export class L7Proxy extends EventEmitter {
  private readonly server: http2.Http2Server;
  private readonly upstreams = new Map<string, http2.ClientHttp2Session>();
  private readonly clientSessions = new Set<http2.ServerHttp2Session>();
  private nextIndex = 0;
  /** RPCs sent again to another backend after a refused stream. */
  retries = 0;
  /** HTTP/2 sessions opened to backends (more than the backends: some sent GOAWAY). */
  sessionsOpened = 0;

  /**
   * @param endpoints the backends, read at each pick.
   * @param name when set, every response carries `via: 2 NAME` (RFC 9110 Via, as Envoy's `via`
   *   option and Linkerd add), so a client behind a VIP can tell the proxies apart.
   */
  constructor(
    private readonly endpoints: EndpointSource,
    readonly name: string | null = null,
  ) {
    super();
    this.server = http2.createServer();
    this.server.on('stream', (stream, headers) => this.handle(stream, headers));
    this.server.on('session', (session) => {
      this.clientSessions.add(session);
      session.on('close', () => this.clientSessions.delete(session));
      session.on('error', () => undefined);
    });
  }

  /**
   * Listens on `host:port` (plaintext HTTP/2, h2c).
   * @throws Error (the listener's) when it cannot bind.
   */
  start(host: string, port: number): Promise<void> {
    return listen(this.server, host, port);
  }

  /** `host:port` of the proxy. */
  get address(): string {
    return boundAddress(this.server);
  }

  /** Closes the listener, client connections and backend sessions. */
  close(): Promise<void> {
    for (const session of this.clientSessions) session.destroy();
    for (const session of this.upstreams.values()) session.destroy();
    this.upstreams.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private pick(exclude: ReadonlySet<string>): string | undefined {
    const endpoints = this.endpoints();
    for (let tried = 0; tried < endpoints.length; tried += 1) {
      const endpoint = endpoints[this.nextIndex % endpoints.length] as string;
      this.nextIndex += 1;
      if (!exclude.has(endpoint)) return endpoint;
    }
    return endpoints.length > 0 ? endpoints[this.nextIndex++ % endpoints.length] : undefined;
  }

  /** The live session to `backend`, opening one if needed; a session that got GOAWAY is never reused. */
  private session(backend: string): http2.ClientHttp2Session {
    const existing = this.upstreams.get(backend);
    if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
    const session = http2.connect(`http://${backend}`);
    this.sessionsOpened += 1;
    const forget = (): void => {
      if (this.upstreams.get(backend) === session) this.upstreams.delete(backend);
    };
    session.on('goaway', forget);
    session.on('close', forget);
    session.on('error', forget);
    this.upstreams.set(backend, session);
    return session;
  }

  private handle(downstream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    new ProxiedCall(downstream, headers, {
      pick: (exclude) => this.pick(exclude),
      session: (backend) => this.session(backend),
      forget: (backend) => this.upstreams.delete(backend),
      sent: (backend) => this.emit('rpc', backend),
      retried: (reason) => {
        this.retries += 1;
        this.emit('retry', reason);
      },
      via: this.name === null ? null : `2 ${this.name}`,
    }).attempt();
  }
}
