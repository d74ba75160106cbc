// The Greeter's streaming methods, named as grpc's examples/protos/helloworld.proto names them:
// SayHelloStreamReply (a reply every interval until the client cancels or enough were sent) and
// SayHelloBidiStream (one reply per request). Each message names the host, as SayHello does.
import type grpc from '@grpc/grpc-js';
import type { HelloReply, HelloRequest } from '../grpc/proto.js';

/** How the streaming methods answer. */
export interface GreeterStreamOptions {
  /** The reply text for a request name (`hostname:X, in:name`, or `Hello name`). */
  readonly greeting: (name: string) => string;
  /** Sent as response headers before the first message; null: none (the unmodified example server). */
  readonly headers: grpc.Metadata | null;
  /** SayHelloStreamReply: ms between replies; 0 sends as fast as the stream takes them. Default 100. */
  readonly intervalMs?: number;
  /** SayHelloStreamReply: replies before the server ends the stream with OK; 0: until the client cancels. Default 0. */
  readonly messages?: number;
  /** Added latency per bidi reply, ms, read at each request. */
  readonly delayMs: () => number;
}

/** The interval between SayHelloStreamReply replies when none is given, ms. */
export const DEFAULT_SERVER_STREAM_INTERVAL_MS = 100;

/** One open stream: how to let go of its timers when the server stops. */
interface OpenStream {
  readonly stop: () => void;
}

/**
 * The streaming handlers of one Greeter server and the streams it holds open. Streams are not
 * ended on a drain: per gRFC A9 the server's GOAWAY stops new streams and the open ones run
 * until the grace (max connection age grace, or the drain's time) closes the connection.
 */
export class GreeterStreams {
  private readonly open = new Set<OpenStream>();
  private readonly intervalMs: number;
  private readonly messages: number;
  /** Streams started so far (both methods). */
  streamsOpened = 0;
  /** Messages written on streams so far. */
  messagesSent = 0;

  constructor(private readonly options: GreeterStreamOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_SERVER_STREAM_INTERVAL_MS;
    this.messages = options.messages ?? 0;
  }

  /** Streams open now. */
  get openStreams(): number {
    return this.open.size;
  }

  /** Lets go of every stream's timers (the server is closing its connections). */
  stopAll(): void {
    for (const stream of this.open) stream.stop();
    this.open.clear();
  }

  /** `SayHelloStreamReply`: the first reply at once, then one every interval. */
  readonly serverStreaming = (call: grpc.ServerWritableStream<HelloRequest, HelloReply>): void => {
    this.streamsOpened += 1;
    if (this.options.headers !== null) call.sendMetadata(this.options.headers);
    const message = this.options.greeting(call.request.name);
    let timer: NodeJS.Timeout | undefined;
    let sent = 0;
    const stream: OpenStream = { stop: () => clearTimeout(timer) };
    const finish = (): void => {
      stream.stop();
      this.open.delete(stream);
    };
    const send = (): void => {
      if (call.cancelled || call.destroyed) return finish();
      const more = call.write({ message });
      sent += 1;
      this.messagesSent += 1;
      if (this.messages > 0 && sent >= this.messages) {
        finish();
        call.end();
        return;
      }
      // Backpressure: a client that reads slowly gets the next reply when the stream drains.
      if (!more && this.intervalMs === 0) {
        call.once('drain', send);
        return;
      }
      timer = setTimeout(send, this.intervalMs);
    };
    this.open.add(stream);
    call.once('cancelled', finish);
    call.once('close', finish);
    call.on('error', finish);
    send();
  };

  /** `SayHelloBidiStream`: one reply per request; the server ends the stream when the client does. */
  readonly bidi = (call: grpc.ServerDuplexStream<HelloRequest, HelloReply>): void => {
    this.streamsOpened += 1;
    if (this.options.headers !== null) call.sendMetadata(this.options.headers);
    const timers = new Set<NodeJS.Timeout>();
    const stream: OpenStream = { stop: () => timers.forEach((timer) => clearTimeout(timer)) };
    const finish = (): void => {
      stream.stop();
      this.open.delete(stream);
    };
    let pending = 0;
    let ended = false;
    const reply = (request: HelloRequest): void => {
      if (call.cancelled || call.destroyed) return;
      call.write({ message: this.options.greeting(request.name) });
      this.messagesSent += 1;
    };
    this.open.add(stream);
    call.on('data', (request: HelloRequest) => {
      const delayMs = this.options.delayMs();
      if (delayMs <= 0) return reply(request);
      pending += 1;
      const timer = setTimeout(() => {
        timers.delete(timer);
        pending -= 1;
        reply(request);
        if (ended && pending === 0) {
          finish();
          call.end();
        }
      }, delayMs);
      timers.add(timer);
    });
    call.once('end', () => {
      ended = true;
      if (pending > 0) return;
      finish();
      call.end();
    });
    call.once('cancelled', finish);
    call.on('error', finish);
  };
}
