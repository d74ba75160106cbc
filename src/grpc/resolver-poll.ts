// The thick client's resolver: grpc-js's own DNS resolver, asked again on a timer, so that a
// channel learns of pods added to a headless Service within one interval (grpc-go's old
// `naming.NewDNSResolverWithFreq`). Registered under its own scheme; `dns:` stays grpc-js's.
import grpc, { type ChannelOptions } from '@grpc/grpc-js';
import type { GrpcUri } from '@grpc/grpc-js/build/src/uri-parser.js';
import type { ChannelResolver } from '../result/run-result.js';
import { parseTarget, type TargetInfo } from './target.js';

/** The scheme the polling resolver is registered under (grpc-js `registerResolver`). */
export const POLL_SCHEME = 'dns-poll';
/** The channel option that carries the interval to the resolver, ms. */
export const POLL_INTERVAL_OPTION = 'grpclb_probe.re_resolve_interval_ms';
/** The shortest interval `--re-resolve-interval` accepts, ms: below it the poll is a DNS flood. */
export const MIN_RE_RESOLVE_INTERVAL_MS = 100;
/** grpc-js's default `grpc.dns_min_time_between_resolutions_ms` (resolver-dns.ts). */
const GRPC_MIN_TIME_BETWEEN_RESOLUTIONS_MS = 30_000;

/** The channel option that names the {@link PollCounter} a channel's resolver counts into. */
const POLL_COUNTER_OPTION = 'grpclb_probe.poll_counter';

/** Live counters by token; a counter leaves when released, so this holds one per running probe. */
const counters = new Map<string, PollCounter>();
let nextToken = 1;

/** Counts the resolutions the polling resolvers of a group of channels (one run) ask for. */
export class PollCounter {
  /** Resolutions asked for so far (each one A, AAAA and TXT lookups by grpc-js's DNS resolver). */
  resolutions = 0;
  /** The channel option value that names this counter. */
  readonly token = `poll-${nextToken++}`;

  constructor() {
    counters.set(this.token, this);
  }

  /** Stops counting (the channels are closed); idempotent. */
  release(): void {
    counters.delete(this.token);
  }
}

/**
 * Wraps grpc-js's `dns` resolver (the same lookups: the system resolver, or the alternative
 * c-ares resolver through the target's DNS authority) and calls its `updateResolution` every
 * interval. grpc-js's own resolver re-resolves only when the LB policy asks (a connection
 * dropped), at most every `grpc.dns_min_time_between_resolutions_ms` (30 s by default,
 * grpc-node resolver-dns.ts); the inner resolver gets that minimum lowered to the interval,
 * so the rate limit never holds a poll back.
 */
class PollingResolver implements grpc.experimental.Resolver {
  private readonly inner: grpc.experimental.Resolver;
  private readonly intervalMs: number;
  private readonly counter: PollCounter | undefined;
  private timer: NodeJS.Timeout | null = null;

  constructor(target: GrpcUri, listener: grpc.experimental.ResolverListener, options: ChannelOptions) {
    this.intervalMs = Number(options[POLL_INTERVAL_OPTION]);
    this.counter = counters.get(String(options[POLL_COUNTER_OPTION]));
    const userMinimum = options['grpc.dns_min_time_between_resolutions_ms'] ?? GRPC_MIN_TIME_BETWEEN_RESOLUTIONS_MS;
    this.inner = grpc.experimental.createResolver({ ...target, scheme: 'dns' }, listener, {
      ...options,
      'grpc.dns_min_time_between_resolutions_ms': Math.min(userMinimum, this.intervalMs),
    });
  }

  updateResolution(): void {
    if (this.timer === null) {
      this.timer = setInterval(() => this.resolveNow(), this.intervalMs);
      this.timer.unref();
    }
    this.resolveNow();
  }

  private resolveNow(): void {
    if (this.counter !== undefined) this.counter.resolutions += 1;
    this.inner.updateResolution();
  }

  destroy(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.inner.destroy();
  }

  /** The `:authority` of a `dns:` target: its path (grpc-js resolver-dns.ts `getDefaultAuthority`). */
  static getDefaultAuthority(target: GrpcUri): string {
    return target.path;
  }
}

let registered = false;

/** Registers the polling resolver with grpc-js (idempotent); `dns:` is left as it is. */
export function registerPollingResolver(): void {
  if (registered) return;
  grpc.experimental.registerResolver(POLL_SCHEME, PollingResolver);
  registered = true;
}

/** Thrown when a target cannot be polled; the message says why. */
export class PollTargetError extends Error {}

/**
 * The parts of a target the polling resolver can re-resolve: a `dns` target that names a host.
 *
 * @throws PollTargetError for IP literals, `ipv4:`, `ipv6:`, `unix:`; TargetError for targets
 *   grpc-js could not parse.
 */
export function pollableTarget(target: string): TargetInfo {
  const info = parseTarget(target);
  if (info.scheme !== 'dns' || info.staticAddresses !== null || info.host === null) {
    throw new PollTargetError(`"${target}" names no DNS name to re-resolve: a dns: target or host:port with a name`);
  }
  return info;
}

/**
 * The target a polling channel opens, and its options: `dns://AUTH/name:port` (or `name:port`)
 * becomes `dns-poll://AUTH/name:port` with the interval as a channel option.
 *
 * @param intervalMs ms between resolutions, at least {@link MIN_RE_RESOLVE_INTERVAL_MS}.
 * @param counter counts the resolutions of every channel opened with these options; default none.
 * @throws PollTargetError for targets that name no host to resolve (IP literals, `ipv4:`,
 *   `ipv6:`, `unix:`); TargetError for targets grpc-js could not parse.
 */
export function pollingTarget(target: string, intervalMs: number, counter?: PollCounter): { target: string; options: ChannelOptions } {
  const info = pollableTarget(target);
  registerPollingResolver();
  return {
    target: `${POLL_SCHEME}://${info.dnsServer ?? ''}/${info.host}:${info.port}`,
    options: { [POLL_INTERVAL_OPTION]: intervalMs, ...(counter === undefined ? {} : { [POLL_COUNTER_OPTION]: counter.token }) },
  };
}

/**
 * What the channels of one run resolve with, as the result reports it: the polling resolver
 * with its interval and the resolutions `counter` counted, or grpc-js's own for the target's scheme.
 */
export function channelResolver(target: string, reResolveIntervalMs: number | null | undefined, counter: PollCounter | null): ChannelResolver {
  if (reResolveIntervalMs !== undefined && reResolveIntervalMs !== null) {
    return { name: POLL_SCHEME, reResolveIntervalMs, resolutions: counter?.resolutions ?? null };
  }
  let name: string;
  try {
    name = parseTarget(target).scheme;
  } catch {
    name = 'dns';
  }
  return { name, reResolveIntervalMs: null, resolutions: null };
}
