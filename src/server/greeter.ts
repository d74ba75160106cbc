// The Greeter server shared by `serve`, the lab and the tests: replies with its hostname,
// reports health, can be slowed down, and drains gracefully or dies abruptly on demand.
import diagnosticsChannel from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { BUILTIN_PROTOS, greeterService, HOSTNAME_HEADER, loadBuiltinPackage, type HelloReply, type HelloRequest } from '../grpc/proto.js';
import { GreeterStreams } from './greeter-streams.js';
import { ORCA_WINDOW_MS, OrcaLoadTracker, type OrcaUtilization } from './orca-load.js';

/** How a {@link GreeterServer} is started. */
export interface GreeterServerOptions {
  /** Bind address, e.g. `0.0.0.0`, `127.0.0.1`, `127.0.10.2`. */
  readonly host: string;
  /** Port; 0 picks a free one (read it back from {@link GreeterServer.port}). */
  readonly port: number;
  /** The name reported in every reply and in the `hostname` response header. */
  readonly hostname: string;
  /** Added latency per RPC in ms; default 0. Can be changed later with {@link GreeterServer.setDelayMs}. */
  readonly delayMs?: number;
  /** `grpc.max_connection_age_ms`: the server sends GOAWAY after this age (±10 % jitter in grpc-js). */
  readonly maxConnectionAgeMs?: number;
  /** `grpc.max_connection_age_grace_ms`: how long in-flight RPCs get after that GOAWAY. */
  readonly maxConnectionAgeGraceMs?: number;
  /**
   * false: reply `Hello <name>` with no hostname anywhere, like gRPC's unmodified example
   * server; default true.
   */
  readonly reportHostname?: boolean;
  /** TLS (`grpc.ServerCredentials.createSsl`); default plaintext. */
  readonly credentials?: grpc.ServerCredentials;
  /**
   * Report load in ORCA: a fixed `application_utilization`, or `derived` from RPCs in flight
   * (see {@link OrcaLoadTracker}), with the RPC and error rates, refreshed every
   * {@link ORCA_WINDOW_MS}, served out of band by xds.service.orca.v3.OpenRcaService (gRPC
   * proposal A64; grpc-js `ServerMetricRecorder`), which weighted_round_robin reads with
   * `enable_oob_load_report` (A58). Not per call in trailers (A51): grpc-js 1.14.7 loads
   * orca.proto again for every per-call report it writes or reads (orca.ts `loadOrcaProto`
   * never keeps its result), milliseconds of CPU per RPC on both sides. Default: no ORCA.
   */
  readonly orcaUtilization?: OrcaUtilization;
  /** SayHelloStreamReply: ms between replies; default 100 (`DEFAULT_SERVER_STREAM_INTERVAL_MS`). */
  readonly streamIntervalMs?: number;
  /** SayHelloStreamReply: replies before the server ends the stream with OK; default 0: until the client cancels. */
  readonly streamMessages?: number;
}

let reflection: ReflectionService | null = null;

/** Server reflection (v1 and v1alpha, `@grpc/reflection`) over helloworld and grpc.health.v1, built once. */
function reflectionService(): ReflectionService {
  reflection ??= new ReflectionService(loadBuiltinPackage(BUILTIN_PROTOS));
  return reflection;
}

/** Thrown by {@link GreeterServer.start} when the address cannot be bound; the message names it. */
export class BindError extends Error {
  constructor(
    readonly address: string,
    /** The socket error code when one was recognised (`EADDRINUSE`, `EADDRNOTAVAIL`, `EACCES`), else null. */
    readonly code: string | null,
    /** In words: `address already in use`, ... */
    readonly reason: string,
  ) {
    super(`cannot listen on ${address}: ${reason}`);
  }
}

/** grpc-js reports bind failures as text (server.ts `bindAsync`); these are the codes worth naming. */
const BIND_REASONS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied',
};

/** The reply text: `hostname:<hostname>, in:<name>`, as the Go demo servers of common Kubernetes articles print it. */
export function greetingFor(hostname: string, name: string): string {
  return `hostname:${hostname}, in:${name}`;
}

/**
 * A helloworld.Greeter server plus grpc.health.v1.Health (SERVING while up, NOT_SERVING
 * while draining) and server reflection, so grpcurl and `run --call` need no proto.
 *
 * Events: `rpc` (after each reply), `cancelled` (a client cancelled or its deadline passed
 * while the reply was delayed).
 */
export class GreeterServer extends EventEmitter {
  readonly hostname: string;
  readonly host: string;
  private requestedPort: number;
  private boundPort = 0;
  private delayMs: number;
  private readonly server: grpc.Server;
  private readonly health = new HealthImplementation({ '': 'SERVING', 'helloworld.Greeter': 'SERVING' });
  private readonly reportHostname: boolean;
  private readonly headers = new grpc.Metadata();
  private readonly credentials: grpc.ServerCredentials;
  /** Accepted TCP connections still open, to destroy when a drain runs out of time. */
  private readonly sockets = new Set<Socket>();
  private readonly orcaLoad: OrcaLoadTracker | null;
  private readonly orcaRecorder: grpc.ServerMetricRecorder | null;
  private orcaTimer: NodeJS.Timeout | undefined;
  /** The streaming methods and the streams open on this server (src/server/greeter-streams.ts). */
  readonly streams: GreeterStreams;
  /** RPCs answered so far. */
  rpcsServed = 0;
  /** RPCs whose client went away (cancel or deadline) before the delayed reply. */
  rpcsCancelled = 0;

  constructor(options: GreeterServerOptions) {
    super();
    this.hostname = options.hostname;
    this.host = options.host;
    this.requestedPort = options.port;
    this.delayMs = options.delayMs ?? 0;
    this.reportHostname = options.reportHostname ?? true;
    this.credentials = options.credentials ?? grpc.ServerCredentials.createInsecure();
    if (this.reportHostname) {
      this.headers.set(HOSTNAME_HEADER, this.hostname);
    }
    const serverOptions: grpc.ServerOptions = {};
    if (options.maxConnectionAgeMs !== undefined) {
      serverOptions['grpc.max_connection_age_ms'] = options.maxConnectionAgeMs;
    }
    if (options.maxConnectionAgeGraceMs !== undefined) {
      serverOptions['grpc.max_connection_age_grace_ms'] = options.maxConnectionAgeGraceMs;
    }
    this.orcaLoad = options.orcaUtilization === undefined ? null : new OrcaLoadTracker(options.orcaUtilization);
    this.orcaRecorder = this.orcaLoad === null ? null : new grpc.ServerMetricRecorder();
    this.server = new grpc.Server(serverOptions);
    this.streams = new GreeterStreams({
      greeting: (name) => (this.reportHostname ? greetingFor(this.hostname, name) : `Hello ${name}`),
      headers: this.reportHostname ? this.headers : null,
      intervalMs: options.streamIntervalMs,
      messages: options.streamMessages,
      delayMs: () => this.delayMs,
    });
    this.server.addService(greeterService.Greeter.service, {
      SayHello: this.sayHello,
      SayHelloStreamReply: this.streams.serverStreaming,
      SayHelloBidiStream: this.streams.bidi,
    });
    this.orcaRecorder?.addToServer(this.server);
    this.health.addToServer(this.server);
    reflectionService().addToServer(this.server);
  }

  /** The bound port (valid after {@link start}). */
  get port(): number {
    return this.boundPort;
  }

  /** `host:port` as clients reach it (IPv6 hosts in brackets). */
  get address(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.boundPort}` : `${this.host}:${this.boundPort}`;
  }

  /** Changes the added latency of RPCs that arrive from now on. */
  setDelayMs(delayMs: number): void {
    this.delayMs = delayMs;
  }

  /**
   * Binds and starts serving.
   * @throws BindError naming the address when it is in use or cannot be bound.
   */
  start(): Promise<void> {
    diagnosticsChannel.subscribe('net.server.socket', this.onSocket);
    const address = this.host.includes(':') ? `[${this.host}]:${this.requestedPort}` : `${this.host}:${this.requestedPort}`;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(address, this.credentials, (error, port) => {
        if (error !== null) {
          diagnosticsChannel.unsubscribe('net.server.socket', this.onSocket);
          const code = /\b(EADDRINUSE|EADDRNOTAVAIL|EACCES)\b/.exec(error.message)?.[1] ?? null;
          reject(new BindError(address, code, code === null ? (error.message.split('\n')[0] ?? error.message) : BIND_REASONS[code]!));
          return;
        }
        this.boundPort = port;
        this.requestedPort = port;
        if (this.orcaLoad !== null) {
          this.publishLoad();
          this.orcaTimer = setInterval(() => this.publishLoad(), ORCA_WINDOW_MS).unref();
        }
        resolve();
      });
    });
  }

  /** Sets what grpc.health.v1.Health reports for the server ('') and for helloworld.Greeter. */
  setServing(serving: boolean): void {
    const status = serving ? 'SERVING' : 'NOT_SERVING';
    this.health.setStatus('', status);
    this.health.setStatus('helloworld.Greeter', status);
  }

  /**
   * Node's `net.server.socket` diagnostics channel (Node docs, "Built-in channels"): grpc-js
   * keeps its sockets to itself, and after a graceful HTTP/2 close a session's destroy only
   * ends the socket's writable side (Node http2 core.js `finishSessionClose`), so a frozen or
   * silent client would hold the connection, and the process, open forever.
   */
  private readonly onSocket = (message: unknown): void => {
    const socket = (message as { socket?: Socket }).socket;
    if (socket === undefined || this.boundPort === 0 || socket.localPort !== this.boundPort) return;
    const local = (socket.localAddress ?? '').replace(/^::ffff:/, '');
    if (this.host !== '0.0.0.0' && this.host !== '::' && local !== this.host) return;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  };

  /**
   * Graceful stop: NOT_SERVING, stop accepting, send GOAWAY, let in-flight RPCs finish for up
   * to `drainMs`, then force-close what is left, connections of silent or frozen clients too.
   * Open streams are RPCs in flight: they run on until the client ends them or the time is up
   * (gRFC A9: GOAWAY, then the grace, then the close).
   * @returns `drained` when every RPC finished in time, `forced` otherwise.
   */
  drain(drainMs: number): Promise<'drained' | 'forced'> {
    clearInterval(this.orcaTimer);
    this.setServing(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.kill();
        resolve('forced');
      }, drainMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        this.stopWatchingSockets();
        resolve('drained');
      });
    });
  }

  /** Abrupt stop: every connection is closed at once, in-flight RPCs fail (like a killed pod). */
  kill(): void {
    clearInterval(this.orcaTimer);
    this.server.forceShutdown();
    this.streams.stopAll();
    for (const socket of this.sockets) socket.destroy();
    this.stopWatchingSockets();
  }

  private stopWatchingSockets(): void {
    this.sockets.clear();
    diagnosticsChannel.unsubscribe('net.server.socket', this.onSocket);
  }

  /** Puts the current load in the out-of-band recorder, which streams it to subscribed clients. */
  private publishLoad(): void {
    const load = this.orcaLoad?.load();
    if (load === undefined || this.orcaRecorder === null) return;
    this.orcaRecorder.setApplicationUtilizationMetric(load.applicationUtilization);
    this.orcaRecorder.setQpsMetric(load.rpsFractional);
    this.orcaRecorder.setEpsMetric(load.eps);
  }

  private readonly sayHello = (
    call: grpc.ServerUnaryCall<HelloRequest, HelloReply>,
    callback: grpc.sendUnaryData<HelloReply>,
  ): void => {
    const message = this.reportHostname ? greetingFor(this.hostname, call.request.name) : `Hello ${call.request.name}`;
    if (this.reportHostname) {
      call.sendMetadata(this.headers);
    }
    const startedAt = performance.now();
    const reply = (): void => {
      this.rpcsServed += 1;
      this.orcaLoad?.record(performance.now() - startedAt);
      callback(null, { message });
      this.emit('rpc');
    };
    if (this.delayMs <= 0) {
      reply();
      return;
    }
    const timer = setTimeout(reply, this.delayMs);
    call.once('cancelled', () => {
      clearTimeout(timer);
      this.rpcsCancelled += 1;
      this.emit('cancelled');
    });
  };
}
