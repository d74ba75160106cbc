// The discovery sweep: when a run saw one peer, a few short-lived channels, each with its own
// connection, ask once each who answers behind that address. Never part of the run's statistics.
import { setMaxListeners } from 'node:events';
import { startProbe, type ProbeOptions } from './probe.js';
import type { DiscoveryResult } from '../result/run-result.js';

/** Fresh connections a sweep opens by default (`--discover`). */
export const DEFAULT_DISCOVERY_CONNECTIONS = 8;

/** What to sweep: the run's own options (target, channel, call, identity) plus how many connections. */
export interface DiscoveryOptions extends ProbeOptions {
  /** Channels to open, one RPC each, all at once; 0 sweeps nothing. */
  readonly connections: number;
}

/**
 * Opens `connections` one-RPC probes of the same target, call and identity at once, each over
 * its own channel (so its own TCP connection: every probe channel has
 * `grpc.use_local_subchannel_pool`, grpc-node subchannel-pool.ts), and collects who answered.
 * Behind an L4 balancer (a ClusterIP VIP) each new connection may land on another backend,
 * which is how a run pinned to one of them learns how many there are. Never rejects: failed
 * RPCs are counted.
 */
export async function discoverBackends(options: DiscoveryOptions, signal?: AbortSignal): Promise<DiscoveryResult> {
  const { connections, ...run } = options;
  const sweep: ProbeOptions = {
    ...run,
    calls: 1,
    durationMs: null,
    concurrency: 1,
    channels: 1,
    rps: null,
    warmup: null,
    watchIntervalMs: 0,
    // A stream call: one stream, one message.
    stream: run.stream === undefined || run.stream === null ? null : { ...run.stream, streams: 1, maxStreamAgeMs: null },
    // One RPC each: bounded by its deadline, so the wait for a connection is too.
    connectTimeoutMs: options.deadlineMs,
  };
  // One signal per sweep, so the caller's does not collect a listener per probe and channel.
  const controller = new AbortController();
  setMaxListeners(Math.max(10, connections * 3), controller.signal);
  const forward = (): void => controller.abort();
  signal?.addEventListener('abort', forward, { once: true });
  const results = await Promise.all(Array.from({ length: connections }, () => startProbe(sweep, controller.signal).done));
  signal?.removeEventListener('abort', forward);
  const backends = new Set(results.flatMap((result) => result.backends.filter((backend) => backend.rpcs > 0).map((backend) => backend.name)));
  const peers = new Set(results.flatMap((result) => result.peers));
  const failed = results.reduce((sum, result) => sum + (result.rpcs.ok > 0 ? 0 : 1), 0);
  const answered = results.filter((result) => result.rpcs.ok > 0);
  const byPeer = answered.length > 0 && answered.every((result) => (result.identity?.namedByPeer ?? 0) >= result.rpcs.ok);
  return { connections, backends: [...backends].sort(), peers: [...peers].sort(), failed, byPeer };
}
