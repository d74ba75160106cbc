// How a run's RPCs found their backends, beside who answered: the resolver the channels used and
// the proxies that carried the RPCs (named by their `via` header).

/** The resolver the probe's channels used: grpc-js's own for the target's scheme, or the polling one. */
export interface ChannelResolver {
  /**
   * `dns` (grpc-js's: resolves at start, again only when a connection drops, at most every
   * `grpc.dns_min_time_between_resolutions_ms`), `dns-poll` (src/grpc/resolver-poll.ts: every
   * `reResolveIntervalMs`), `ipv4`, `ipv6`, `unix`, `unix-abstract` (static, never re-resolved).
   */
  readonly name: string;
  /** `dns-poll`: ms between resolutions (`--re-resolve-interval`); null otherwise. */
  readonly reResolveIntervalMs: number | null;
  /** `dns-poll`: resolutions asked for over every channel of the run (each A, AAAA and TXT lookups); null otherwise. */
  readonly resolutions: number | null;
}

/** One proxy that carried RPCs, by its `via` header. */
export interface ProxyResult {
  /** The proxy's name from `via` (the received-by part of its last entry): `tier-proxy-1`. */
  readonly name: string;
  /** Successful RPCs it carried. */
  readonly rpcs: number;
  /** Channels that reached it (each pinned to the proxy its connection landed on). */
  readonly channels: number;
}
