// The flags of `run` as commander parses them, their checks across fields (in one place),
// and the load options they give the engine.
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../engine/connect.js';
import type { ProbeOptions, Warmup } from '../engine/probe.js';
import { PollTargetError, pollableTarget } from '../grpc/resolver-poll.js';
import { parseTarget } from '../grpc/target.js';
import type { ClusterIpMode } from '../lab/l4-vip.js';
import type { ServiceRef } from '../k8s/service-name.js';
import type { Setup } from '../result/lab.js';
import type { LbPolicy, ServiceConfig } from '../result/run-result.js';
import { CALL_FLAG_NAMES, validateCallFlags, type CallFlags } from './call-flags.js';
import { checkClientLimits } from './client-limits.js';
import { UsageError } from './errors.js';
import { checkXdsWeights } from './xds-flags.js';
import type { GateFlags } from './gate-flags.js';
import type { OutputFlags } from './output.js';
import { STREAM_FLAG_NAMES, streamLoadOf, type StreamFlags } from './stream-flags.js';
import type { MetadataEntry } from './parse.js';
import { scheduledLoadOf, validateScheduleFlags, type ScheduleFlags } from './schedule-flags.js';

/** The flags of `run` as commander parses them. */
export interface RunFlags extends OutputFlags, CallFlags, GateFlags, StreamFlags, ScheduleFlags {
  target?: string;
  total?: number;
  duration?: number;
  /** Absent: 1 in a closed loop; at a fixed rate, sized to the rate (schedule-flags.ts `scheduledLoadOf`). */
  concurrency?: number;
  channels: number;
  rps?: number;
  warmup?: Warmup;
  interval: number;
  /** Not a flag: whether --interval was given (commander's value source), set by run's action; the lab fits its timelines when not. */
  intervalGiven?: boolean;
  watchInterval?: number;
  reResolveInterval?: number;
  connectTimeout?: number;
  deadlineMs: number;
  lbPolicy?: LbPolicy;
  channelArg?: Record<string, string | number>;
  serviceConfig?: ServiceConfig;
  metadata?: MetadataEntry[];
  authority?: string;
  tls?: boolean;
  caCert?: string;
  cert?: string;
  key?: string;
  serverName?: string;
  expectBackends?: number;
  discover?: number;
  replicas?: number;
  setups?: Setup[];
  clusteripMode?: ClusterIpMode;
  forever?: boolean;
  reportInterval?: number;
  metricsPort?: number;
  metricsHost?: string;
  k8s?: K8sMode;
  kubeconfig?: string;
  k8sService?: ServiceRef;
  /** `--xds-bootstrap FILE`: the bootstrap of an `xds:` target (src/cli/xds-flags.ts). */
  xdsBootstrap?: string;
  /** `--xds-weights 3,1,1`: the lab's xds-weighted setup, one weight per pod. */
  xdsWeights?: number[];
}

/** `--k8s`: read the Service's EndpointSlices when possible, always (or fail), or never. */
export const K8S_MODES = ['auto', 'on', 'off'] as const;
export type K8sMode = (typeof K8S_MODES)[number];

/** Default RPC count when neither --total nor --duration is given. */
export const DEFAULT_CALLS = 300;

/** Cross-field validation, in one place. @throws UsageError naming the flags. */
export function validateRunFlags(flags: RunFlags): void {
  if (flags.total !== undefined && flags.duration !== undefined) {
    throw new UsageError('--total and --duration exclude each other: bound the run by a count or by time');
  }
  validateScheduleFlags(flags);
  const { concurrency, autoConcurrency, concurrencySchedule } = scheduledLoadOf(flags);
  if (flags.streams !== undefined) {
    if (flags.channels > flags.streams) throw new UsageError(`--channels (${flags.channels}) cannot exceed --streams (${flags.streams}): each channel needs a stream`);
  } else if (!autoConcurrency && concurrencySchedule === null && flags.channels > concurrency) {
    throw new UsageError(`--channels (${flags.channels}) cannot exceed --concurrency (${concurrency}): each channel needs an RPC in flight (a stream, with --streams, for a streaming --call)`);
  }
  checkClientLimits({ concurrency, channels: flags.channels, connectionsPerChannel: connectionsPerChannel(flags) });
  const tlsOnly = (['caCert', 'cert', 'key', 'serverName'] as const).filter((name) => flags[name] !== undefined);
  if (tlsOnly.length > 0 && flags.tls !== true) {
    throw new UsageError(`${flagList(tlsOnly)} ${tlsOnly.length === 1 ? 'needs' : 'need'} --tls`);
  }
  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    throw new UsageError('--cert and --key go together');
  }
  if (flags.lbPolicy !== undefined && flags.serviceConfig?.loadBalancingConfig !== undefined) {
    throw new UsageError('--lb-policy and a loadBalancingConfig in --service-config exclude each other: keep one');
  }
  validateCallFlags(flags);
  validateForeverFlags(flags);
  if (flags.target === undefined) {
    const targetOnly = (['lbPolicy', 'serviceConfig', 'authority', 'tls', 'expectBackends', 'maxSkew', 'minBackends', 'expect', 'maxErrorRate', 'metadata', 'kubeconfig', 'k8sService', 'xdsBootstrap', ...CALL_FLAG_NAMES, ...STREAM_FLAG_NAMES] as const).filter(
      (name) => flags[name] !== undefined,
    );
    if (targetOnly.length > 0) {
      throw new UsageError(`${flagList(targetOnly)} ${targetOnly.length === 1 ? 'needs' : 'need'} --target (the lab sets its own policies and gates)`);
    }
    checkXdsWeights(flags.xdsWeights, flags.replicas ?? 3, flags.setups);
  } else {
    checkPollable(flags);
    const labOnly = (['replicas', 'setups', 'clusteripMode', 'xdsWeights'] as const).filter((name) => flags[name] !== undefined);
    if (labOnly.length > 0) {
      throw new UsageError(`${flagList(labOnly)} only ${labOnly.length === 1 ? 'applies' : 'apply'} to the lab (run without --target)`);
    }
  }
}

/** `--re-resolve-interval` needs a DNS name to re-resolve. @throws UsageError naming the flag. */
function checkPollable(flags: RunFlags): void {
  if (flags.reResolveInterval === undefined || flags.target === undefined) return;
  try {
    pollableTarget(flags.target);
  } catch (error) {
    if (error instanceof PollTargetError) throw new UsageError(`--re-resolve-interval: ${error.message}`);
  }
}

/** Default `--metrics-host`: loopback; a pod sets 0.0.0.0 for its scraper. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

/** Default `--report-interval`: one window a minute. */
export const DEFAULT_REPORT_INTERVAL_MS = 60_000;

/** The flags of `--forever`, checked together. @throws UsageError naming the flags. */
function validateForeverFlags(flags: RunFlags): void {
  if (flags.forever !== true) {
    const foreverOnly = (['reportInterval', 'metricsPort', 'metricsHost'] as const).filter((name) => flags[name] !== undefined);
    if (foreverOnly.length > 0) throw new UsageError(`${flagList(foreverOnly)} ${foreverOnly.length === 1 ? 'needs' : 'need'} --forever`);
    return;
  }
  if (flags.target === undefined) throw new UsageError('--forever needs --target (the lab runs once)');
  const bounded = (['total', 'duration'] as const).filter((name) => flags[name] !== undefined);
  if (bounded.length > 0) throw new UsageError(`--forever and ${flagList(bounded)} exclude each other: --forever runs until SIGINT/SIGTERM`);
  if (flags.output === 'markdown' || flags.output === 'html') {
    throw new UsageError(`-o ${flags.output}: --forever prints one line (table) or one JSON document (json) per window`);
  }
  if (flags.out !== undefined) throw new UsageError('--out: --forever prints every window on stdout; redirect it to a file instead');
  if (flags.metricsHost !== undefined && flags.metricsPort === undefined) throw new UsageError('--metrics-host needs --metrics-port');
}

/** Connections each channel opens, when known from the flags: a static list with round_robin uses every address. */
function connectionsPerChannel(flags: RunFlags): number {
  if (flags.target === undefined || flags.lbPolicy !== 'round_robin') return 1;
  try {
    return parseTarget(flags.target).staticAddresses?.length ?? 1;
  } catch {
    return 1; // the target's own error is reported where it is parsed
  }
}

/** `['caCert', 'key']` -> `--ca-cert, --key` */
function flagList(names: readonly string[]): string {
  return names.map((name) => `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`).join(', ');
}

/** The load the flags ask for, the same for a target and for each lab setup. */
export function loadOf(flags: RunFlags): Omit<ProbeOptions, 'target' | 'lbPolicy'> {
  return {
    calls: flags.duration !== undefined ? null : (flags.total ?? DEFAULT_CALLS),
    durationMs: flags.duration ?? null,
    ...scheduledLoadOf(flags),
    channels: flags.channels,
    rps: flags.rps ?? null,
    deadlineMs: flags.deadlineMs,
    warmup: flags.warmup ?? null,
    connectTimeoutMs: flags.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
    intervalMs: flags.interval,
    watchIntervalMs: flags.watchInterval ?? null,
    metadata: flags.metadata ?? [],
    channelArgs: flags.channelArg ?? {},
    stream: streamLoadOf(flags),
  };
}
