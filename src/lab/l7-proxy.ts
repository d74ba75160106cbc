// An L7 HTTP/2 proxy in the Envoy / Istio-sidecar model: it terminates the client's HTTP/2
// connection and picks a backend per RPC (per stream), round robin, over persistent HTTP/2
// sessions to each backend. It forwards gRPC faithfully: headers, messages, trailers,
// trailers-only errors, deadlines and cancellation.
import { EventEmitter } from 'node:events';
import { boundAddress, listen } from './listen.js';
import http2 from 'node:http2';
import type { EndpointSource } from './l4-vip.js';

const {
  HTTP2_HEADER_STATUS,
  NGHTTP2_CANCEL,
  NGHTTP2_REFUSED_STREAM,
  NGHTTP2_NO_ERROR,
  NGHTTP2_INTERNAL_ERROR,
  NGHTTP2_FLAG_END_STREAM,
} = http2.constants;

/** Connection-specific headers that must not be forwarded (RFC 9113 section 8.2.2). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);
/**
 * Attempts per RPC when a backend refuses the stream (GOAWAY race) before answering. Counted
 * per attempt, not per distinct backend: pods started together with one max connection age
 * send GOAWAY at about the same moment, so every backend may refuse once, and a further attempt
 * goes over a fresh session (a session that got GOAWAY is never reused).
 */
const MAX_ATTEMPTS = 5;
/** Request bytes kept for a retry; a larger request is not retried. */
const MAX_REPLAY_BYTES = 1 << 20;

function forwardable(headers: http2.IncomingHttpHeaders): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || HOP_BY_HOP.has(name) || value === undefined) continue;
    out[name] = value;
  }
  return out;
}

/** `grpc-status` 14 as a trailers-only response (gRPC "PROTOCOL-HTTP2" doc). */
function unavailable(message: string): http2.OutgoingHttpHeaders {
  return {
    [HTTP2_HEADER_STATUS]: 200,
    'content-type': 'application/grpc',
    'grpc-status': '14',
    'grpc-message': encodeURIComponent(message),
  };
}

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

  constructor(private readonly endpoints: EndpointSource) {
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
    const requestHeaders: http2.OutgoingHttpHeaders = {
      ':method': headers[':method'] ?? 'POST',
      ':path': headers[':path'],
      ':scheme': 'http',
      ':authority': headers[':authority'],
      ...forwardable(headers),
    };
    const replay: Buffer[] = [];
    let replayBytes = 0;
    let requestEnded = false;
    let upstream: http2.ClientHttp2Stream | null = null;
    let responded = false;
    let trailers: http2.OutgoingHttpHeaders | null = null;
    let wantsTrailers = false;
    const tried = new Set<string>();
    let attempts = 0;

    downstream.on('data', (chunk: Buffer) => {
      if (!responded && replayBytes <= MAX_REPLAY_BYTES) {
        replay.push(chunk);
        replayBytes += chunk.length;
      }
      upstream?.write(chunk);
    });
    downstream.on('end', () => {
      requestEnded = true;
      upstream?.end();
    });
    downstream.on('error', () => undefined);
    // The client cancelled (or its deadline passed): RST_STREAM CANCEL to the backend.
    downstream.on('close', () => {
      if (upstream !== null && !upstream.closed) upstream.close(NGHTTP2_CANCEL);
    });
    downstream.on('wantTrailers', () => {
      wantsTrailers = true;
      if (trailers !== null) downstream.sendTrailers(trailers);
    });

    const finishWith = (outgoing: http2.OutgoingHttpHeaders): void => {
      if (downstream.closed || downstream.destroyed) return;
      if (!responded) {
        responded = true;
        downstream.respond(outgoing, { endStream: true });
      } else {
        trailers = outgoing;
        if (wantsTrailers) downstream.sendTrailers(outgoing);
        else downstream.end();
      }
    };

    const attempt = (): void => {
      if (downstream.closed || downstream.destroyed) return;
      const backend = this.pick(tried);
      if (backend === undefined) {
        finishWith(unavailable('no backend available'));
        return;
      }
      tried.add(backend);
      attempts += 1;
      let stream: http2.ClientHttp2Stream;
      try {
        stream = this.session(backend).request(requestHeaders, { endStream: false });
      } catch {
        // The session got GOAWAY or closed between our check and the request.
        this.upstreams.delete(backend);
        retryOrFail(`backend ${backend} closed the connection`);
        return;
      }
      upstream = stream;
      this.emit('rpc', backend);
      for (const chunk of replay) stream.write(chunk);
      if (requestEnded) stream.end();

      stream.on('response', (responseHeaders, flags) => {
        if (downstream.closed || downstream.destroyed) return;
        responded = true;
        replay.length = 0;
        const outgoing = { ...forwardable(responseHeaders), [HTTP2_HEADER_STATUS]: responseHeaders[HTTP2_HEADER_STATUS] ?? 200 };
        if ((flags & NGHTTP2_FLAG_END_STREAM) !== 0) {
          downstream.respond(outgoing, { endStream: true }); // trailers-only response
        } else {
          downstream.respond(outgoing, { waitForTrailers: true });
        }
      });
      stream.on('data', (chunk: Buffer) => {
        if (!downstream.closed && !downstream.destroyed) downstream.write(chunk);
      });
      stream.on('trailers', (responseTrailers) => {
        trailers = forwardable(responseTrailers);
        if (wantsTrailers && !downstream.closed) downstream.sendTrailers(trailers);
      });
      stream.on('end', () => {
        if (responded && !downstream.closed && !downstream.destroyed && !downstream.writableEnded) downstream.end();
      });
      stream.on('error', () => undefined);
      stream.on('close', () => {
        if (downstream.closed || downstream.destroyed) return;
        if (!responded) {
          // Refused before any answer (GOAWAY race, backend gone): safe to send elsewhere.
          const refused = stream.rstCode === NGHTTP2_REFUSED_STREAM || stream.rstCode === NGHTTP2_NO_ERROR || stream.session?.closed;
          if (refused && replayBytes <= MAX_REPLAY_BYTES) {
            retryOrFail(`backend ${backend} refused the stream`);
          } else {
            finishWith(unavailable(`backend ${backend} reset the stream (code ${stream.rstCode})`));
          }
        } else if (trailers === null) {
          // The backend answered, then went away without trailers: reset, as it did.
          downstream.close(stream.rstCode === NGHTTP2_NO_ERROR ? NGHTTP2_INTERNAL_ERROR : stream.rstCode);
        }
      });
    };

    const retryOrFail = (reason: string): void => {
      if (attempts < MAX_ATTEMPTS) {
        this.retries += 1;
        this.emit('retry', reason);
        attempt();
      } else {
        finishWith(unavailable(reason));
      }
    };

    attempt();
  }
}
