// One RPC through the lab's L7 proxy: the client's stream forwarded to a backend the proxy picks,
// sent again elsewhere when a backend refuses it before answering (a GOAWAY race), its response,
// messages and trailers forwarded back, a client's cancel forwarded as RST_STREAM CANCEL.
import http2 from 'node:http2';

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

export function forwardable(headers: http2.IncomingHttpHeaders): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || HOP_BY_HOP.has(name) || value === undefined) continue;
    out[name] = value;
  }
  return out;
}

/** `grpc-status` 14 as a trailers-only response (gRPC "PROTOCOL-HTTP2" doc). */
export function unavailable(message: string): http2.OutgoingHttpHeaders {
  return {
    [HTTP2_HEADER_STATUS]: 200,
    'content-type': 'application/grpc',
    'grpc-status': '14',
    'grpc-message': encodeURIComponent(message),
  };
}

/** What a call needs from its proxy. */
export interface ProxyHost {
  /** A backend not in `exclude` (round robin), else any, else undefined when none is left. */
  pick(exclude: ReadonlySet<string>): string | undefined;
  /** The live HTTP/2 session to `backend`. */
  session(backend: string): http2.ClientHttp2Session;
  /** Drops a session that closed between the check and the request. */
  forget(backend: string): void;
  /** A stream was sent to `backend`. */
  sent(backend: string): void;
  /** A refused stream is sent again; `reason` names the backend. */
  retried(reason: string): void;
  /** The `via` response header the proxy adds (RFC 9110 section 7.6.3), naming itself; null: none. */
  readonly via: string | null;
}

/** One downstream stream and its upstream attempts. */
export class ProxiedCall {
  private readonly requestHeaders: http2.OutgoingHttpHeaders;
  private readonly replay: Buffer[] = [];
  private replayBytes = 0;
  private requestEnded = false;
  private upstream: http2.ClientHttp2Stream | null = null;
  private responded = false;
  private trailers: http2.OutgoingHttpHeaders | null = null;
  private wantsTrailers = false;
  private readonly tried = new Set<string>();
  private attempts = 0;

  constructor(
    private readonly downstream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
    private readonly host: ProxyHost,
  ) {
    this.requestHeaders = {
      ':method': headers[':method'] ?? 'POST',
      ':path': headers[':path'],
      ':scheme': 'http',
      ':authority': headers[':authority'],
      ...forwardable(headers),
    };
    downstream.on('data', (chunk: Buffer) => {
      if (!this.responded && this.replayBytes <= MAX_REPLAY_BYTES) {
        this.replay.push(chunk);
        this.replayBytes += chunk.length;
      }
      this.upstream?.write(chunk);
    });
    downstream.on('end', () => {
      this.requestEnded = true;
      this.upstream?.end();
    });
    downstream.on('error', () => undefined);
    // The client cancelled (or its deadline passed): RST_STREAM CANCEL to the backend.
    downstream.on('close', () => {
      if (this.upstream !== null && !this.upstream.closed) this.upstream.close(NGHTTP2_CANCEL);
    });
    downstream.on('wantTrailers', () => {
      this.wantsTrailers = true;
      if (this.trailers !== null) downstream.sendTrailers(this.trailers);
    });
  }

  private get gone(): boolean {
    return this.downstream.closed || this.downstream.destroyed;
  }

  /** Ends the client's stream with `outgoing`: as a trailers-only response, or as trailers after the response. */
  private finishWith(outgoing: http2.OutgoingHttpHeaders): void {
    if (this.gone) return;
    if (!this.responded) {
      this.responded = true;
      this.downstream.respond(outgoing, { endStream: true });
    } else {
      this.trailers = outgoing;
      if (this.wantsTrailers) this.downstream.sendTrailers(outgoing);
      else this.downstream.end();
    }
  }

  /** Sends the call to the next backend, or fails it when none is left. */
  attempt(): void {
    if (this.gone) return;
    const backend = this.host.pick(this.tried);
    if (backend === undefined) {
      this.finishWith(unavailable('no backend available'));
      return;
    }
    this.tried.add(backend);
    this.attempts += 1;
    let stream: http2.ClientHttp2Stream;
    try {
      stream = this.host.session(backend).request(this.requestHeaders, { endStream: false });
    } catch {
      // The session got GOAWAY or closed between our check and the request.
      this.host.forget(backend);
      this.retryOrFail(`backend ${backend} closed the connection`);
      return;
    }
    this.upstream = stream;
    this.host.sent(backend);
    for (const chunk of this.replay) stream.write(chunk);
    if (this.requestEnded) stream.end();
    this.forwardResponse(stream);
    stream.on('close', () => this.upstreamClosed(stream, backend));
  }

  /** The backend's response headers, messages and trailers, forwarded to the client. */
  private forwardResponse(stream: http2.ClientHttp2Stream): void {
    const downstream = this.downstream;
    stream.on('response', (responseHeaders, flags) => {
      if (this.gone) return;
      this.responded = true;
      this.replay.length = 0;
      const outgoing: http2.OutgoingHttpHeaders = { ...forwardable(responseHeaders), [HTTP2_HEADER_STATUS]: responseHeaders[HTTP2_HEADER_STATUS] ?? 200 };
      if (this.host.via !== null) outgoing.via = this.host.via;
      if ((flags & NGHTTP2_FLAG_END_STREAM) !== 0) {
        downstream.respond(outgoing, { endStream: true }); // trailers-only response
      } else {
        downstream.respond(outgoing, { waitForTrailers: true });
      }
    });
    stream.on('data', (chunk: Buffer) => {
      if (!this.gone) downstream.write(chunk);
    });
    stream.on('trailers', (responseTrailers) => {
      this.trailers = forwardable(responseTrailers);
      if (this.wantsTrailers && !downstream.closed) downstream.sendTrailers(this.trailers);
    });
    stream.on('end', () => {
      if (this.responded && !this.gone && !downstream.writableEnded) downstream.end();
    });
    stream.on('error', () => undefined);
  }

  /** The upstream stream closed: retry a refused one, or end the client's stream as the backend did. */
  private upstreamClosed(stream: http2.ClientHttp2Stream, backend: string): void {
    if (this.gone) return;
    if (!this.responded) {
      // Refused before any answer (GOAWAY race, backend gone): safe to send elsewhere.
      const refused = stream.rstCode === NGHTTP2_REFUSED_STREAM || stream.rstCode === NGHTTP2_NO_ERROR || stream.session?.closed;
      if (refused && this.replayBytes <= MAX_REPLAY_BYTES) {
        this.retryOrFail(`backend ${backend} refused the stream`);
      } else {
        this.finishWith(unavailable(`backend ${backend} reset the stream (code ${stream.rstCode})`));
      }
    } else if (this.trailers === null) {
      // The backend answered, then went away without trailers: reset, as it did.
      this.downstream.close(stream.rstCode === NGHTTP2_NO_ERROR ? NGHTTP2_INTERNAL_ERROR : stream.rstCode);
    }
  }

  private retryOrFail(reason: string): void {
    if (this.attempts < MAX_ATTEMPTS) {
      this.host.retried(reason);
      this.attempt();
    } else {
      this.finishWith(unavailable(reason));
    }
  }
}
