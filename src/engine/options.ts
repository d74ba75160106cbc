// What a probe run is asked to do: the options the engine takes, the warmup and the call. Types
// only; src/engine/probe.ts re-exports them as the engine's public API.
import type protobuf from 'protobufjs';
import type { ChannelConfig } from '../grpc/channel.js';
import type { MethodSpec } from '../grpc/method.js';
import type { RampSpec } from '../result/schedule.js';
import type { BackendFrom } from './identity.js';

/** Warmup: RPCs issued first, or time spent first, and left out of the result. */
export type Warmup = { readonly calls: number } | { readonly durationMs: number };

/** What to run. Cross-field rules are checked by the CLI's option validation; the engine trusts them. */
export interface ProbeOptions extends ChannelConfig {
  /** Measured RPCs to issue; null when `durationMs` bounds the run. */
  readonly calls: number | null;
  /** Measured time, ms; null when `calls` bounds the run. */
  readonly durationMs: number | null;
  /**
   * RPCs in flight at once, >= channels: the workers the run has. At a fixed rate with
   * `autoConcurrency`, only the cap the auto-sized pool may grow to; with `concurrencySchedule`,
   * the schedule's peak.
   */
  readonly concurrency: number;
  /**
   * At a fixed rate: size the workers to the rate (src/engine/pacing/worker-pool.ts
   * `GrowingPool`), growing up to `concurrency`, instead of all `concurrency` from the start.
   * Default false.
   */
  readonly autoConcurrency?: boolean;
  /** A rate that ramps (ghz's step and line load schedules), RPC/s; replaces `rps`. Default null. */
  readonly loadSchedule?: RampSpec | null;
  /** A closed loop whose workers follow a ramp (ghz's concurrency schedules). Default null. */
  readonly concurrencySchedule?: RampSpec | null;
  /** Channels, each with its own connections; RPCs spread round robin over them. Default 1. */
  readonly channels?: number;
  /** Fixed rate in RPC/s over all channels (open loop, bounded by `concurrency`); null: closed loop. */
  readonly rps?: number | null;
  /** Per-RPC deadline, ms. */
  readonly deadlineMs: number;
  readonly warmup?: Warmup | null;
  /** Timeline interval, ms; default 1000. */
  readonly intervalMs?: number;
  /**
   * true: a run shorter than ten `intervalMs` gets a finer timeline interval, a whole fraction
   * of it (the lab without `--interval`: its setups take a fraction of a second); the result's
   * `timeline.askedIntervalMs` then holds `intervalMs`. Default false.
   */
  readonly fitIntervalToRun?: boolean;
  /** Request metadata, sent with every RPC; `-bin` keys carry bytes. */
  readonly metadata?: readonly (readonly [string, string | Buffer])[];
  /** `HelloRequest.name` of the default call; default `grpclb-probe`. */
  readonly requestName?: string;
  /** The method and request; default `helloworld.Greeter/SayHello` with `requestName`. */
  readonly call?: ProbeCall;
  /** Where each RPC's backend name comes from; default `auto`. */
  readonly backendFrom?: BackendFrom;
  /**
   * The probe's own resolver watch for targets that name a host (src/grpc/resolver-watch.ts):
   * ms between queries; null or absent: the records' TTL clamped to 1..30 s; 0: off.
   */
  readonly watchIntervalMs?: number | null;
  /**
   * Wait this long for the channels to be ready before the run, ms; default
   * `DEFAULT_CONNECT_TIMEOUT_MS` (src/engine/connect.ts); 0: do not wait. With no channel ready
   * in time the run stops with `stopReason: 'connect-timeout'` and the last connection error;
   * when for this long after the start every RPC failed without reaching a server, with
   * `stopReason: 'refused'`.
   */
  readonly connectTimeoutMs?: number;
  /**
   * With a streaming `call`: the streams held open and how they are fed; `concurrency` is then
   * the number of streams. Default {@link DEFAULT_STREAM_LOAD}. Ignored for a unary call.
   */
  readonly stream?: StreamLoad | null;
}

/** How a streaming call is held open: `streams` at once, each one a worker (src/engine/workers/stream.ts). */
export interface StreamLoad {
  /** Streams held open at once, >= 1. */
  readonly streams: number;
  /** Messages received on a stream (sent, for client streaming) before the probe ends it and opens another; null: until the run ends. */
  readonly messagesPerStream: number | null;
  /** Client and bidi streams: ms between client messages; 0 sends the next one as soon as the reply came. */
  readonly intervalMs: number;
  /** End each stream after this age (±10 % jitter, as grpc-js jitters max connection age) and open another, ms; null: never. */
  readonly maxStreamAgeMs: number | null;
}

/** The stream load when none is given. */
export const DEFAULT_STREAM_LOAD: StreamLoad = { streams: 10, messagesPerStream: null, intervalMs: 100, maxStreamAgeMs: null };

/** One unary method and the request sent on every RPC, encoded once. */
export interface ProbeCall {
  readonly method: MethodSpec;
  /** The serialized request message. */
  readonly request: Buffer;
  /**
   * A status name for a reply that is OK on the wire but says the backend is not (e.g.
   * `NOT_SERVING` from a health check), recorded as a failed RPC; null: the reply is a success.
   */
  readonly replyStatus?: (reply: protobuf.Message) => string | null;
}
