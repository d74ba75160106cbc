// The one hand-built RunResult of the tests: RPCs per backend per 1 s interval, with real hdr
// histograms (so merged latencies add up) and everything a reporter or the analysis reads.
import { encodeHistogram, newLatencyHistogram, summarize } from '../src/result/histogram.js';
import type { ClientInfo, PeerChange, ResolverWatchResult, RunResult } from '../src/result/run-result.js';

/** What a test says about its run; everything else takes a plain default. */
export interface RunFixture {
  /** Successful RPCs per backend per 1 s interval. */
  readonly series: Readonly<Record<string, readonly number[]>>;
  /** Failed RPCs (UNAVAILABLE) per interval. */
  readonly failed?: readonly number[];
  /** Each backend's peer; default its own `10.0.0.N:50051`. */
  readonly peers?: Readonly<Record<string, string>>;
  /** Default `round_robin`; null: the channel default. */
  readonly lbPolicy?: string | null;
  /** Default `dns:///greeter:50051`. */
  readonly target?: string;
  readonly watch?: ResolverWatchResult | null;
  readonly peerChanges?: PeerChange[];
  /** The channel's backend switches; default every RPC but the first (a per-RPC balancer). */
  readonly switches?: number;
  /** Latency of every RPC, µs; default 1000. */
  readonly latencyUs?: number;
  /** Default `2026-01-01T00:00:00.000Z`. */
  readonly startedAt?: string;
  readonly client?: ClientInfo;
}

const sum = (values: readonly number[]): number => values.reduce((left, right) => left + right, 0);

function histogramOf(count: number, latencyUs: number): { histogram: string; latencyMs: RunResult['latencyMs'] } {
  const histogram = newLatencyHistogram();
  if (count > 0) histogram.recordValueWithCount(latencyUs, count);
  const encoded = { histogram: encodeHistogram(histogram), latencyMs: summarize(histogram) };
  histogram.destroy();
  return encoded;
}

/** A run result as `fixture` describes it: one channel, backends sorted by name. */
export function runFixture(fixture: RunFixture): RunResult {
  const names = Object.keys(fixture.series).sort();
  const length = Math.max(...Object.values(fixture.series).map((values) => values.length));
  const failedSeries = fixture.failed ?? [];
  const latencyUs = fixture.latencyUs ?? 1000;
  const peerOf = (name: string): string => fixture.peers?.[name] ?? `10.0.0.${names.indexOf(name) + 1}:50051`;
  const ok = sum(names.map((name) => sum(fixture.series[name] ?? [])));
  const failed = sum(failedSeries);
  const backends = names.map((name) => {
    const values = fixture.series[name] ?? [];
    const rpcs = sum(values);
    const first = values.findIndex((value) => value > 0);
    const last = values.length - 1 - [...values].reverse().findIndex((value) => value > 0);
    return {
      name,
      peers: [peerOf(name)],
      rpcs,
      failed: 0,
      share: ok > 0 ? rpcs / ok : 0,
      ...histogramOf(rpcs, latencyUs),
      firstRpcAtMs: first * 1000 + 100,
      lastRpcAtMs: last * 1000 + 900,
    };
  });
  const peers = [...new Set(names.map(peerOf))].sort();
  return {
    target: fixture.target ?? 'dns:///greeter:50051',
    lbPolicy: fixture.lbPolicy === undefined ? 'round_robin' : fixture.lbPolicy,
    channelArgs: {},
    serviceConfig: null,
    channels: 1,
    concurrency: 1,
    rps: null,
    deadlineMs: 1000,
    startedAt: fixture.startedAt ?? '2026-01-01T00:00:00.000Z',
    stopReason: 'duration',
    rpcs: { total: ok + failed, ok, failed, byStatus: failed > 0 ? { OK: ok, UNAVAILABLE: failed } : { OK: ok }, warmup: 0 },
    errors: failed > 0 ? [{ status: 'UNAVAILABLE', details: 'Connection dropped', count: failed }] : [],
    backends,
    peers,
    ...histogramOf(ok, latencyUs),
    elapsedMs: length * 1000,
    rpcsPerSecond: (ok + failed) / length,
    channelMatrix: [
      { channel: 0, peers, backends: Object.fromEntries(backends.map((entry) => [entry.name, entry.rpcs])), failed, switches: fixture.switches ?? ok - 1 },
    ],
    timeline: {
      intervalMs: 1000,
      buckets: Array.from({ length }, (_, index) => ({
        startMs: index * 1000,
        rpcs: Object.fromEntries(names.filter((name) => (fixture.series[name]?.[index] ?? 0) > 0).map((name) => [name, fixture.series[name]?.[index] ?? 0])),
        failed: failedSeries[index] ?? 0,
        failedByStatus: (failedSeries[index] ?? 0) > 0 ? { UNAVAILABLE: failedSeries[index] ?? 0 } : ({} as Record<string, number>),
      })),
    },
    resolverWatch: fixture.watch ?? null,
    peerChanges: fixture.peerChanges ?? [],
    ...(fixture.client === undefined ? {} : { client: fixture.client }),
  };
}
