// `run -t TARGET` inside the command skeleton: the channel and call the flags describe, the
// probe with its progress, the discovery sweep when one peer answered, and the analysis.
import { setTimeout as delay } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { analyze } from '../analysis/analyze.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../engine/connect.js';
import { DEFAULT_DISCOVERY_CONNECTIONS, discoverBackends } from '../engine/discovery.js';
import { startProbe, type ProbeOptions } from '../engine/probe.js';
import { MAX_TIMELINE_INTERVALS } from '../engine/recorder.js';
import { alternativeResolverEnabled, targetHasDnsAuthority } from '../grpc/alternative-resolver.js';
import type { ChannelConfig } from '../grpc/channel.js';
import { DEFAULT_PORT, parseTarget, resolveTargetAddresses, TargetError, type TargetInfo } from '../grpc/target.js';
import type { ProbeReport } from '../result/report.js';
import type { DiscoveryResult, RunResult } from '../result/run-result.js';
import { prepareCall } from './call-flags.js';
import { gatherClusterFacts } from './cluster-facts.js';
import type { CommandContext, CommandReport } from './command.js';
import { TargetUnavailableError, UsageError } from './errors.js';
import { gateLimits } from './gate-flags.js';
import { startKubernetes, withKubernetes } from './run-kubernetes.js';
import { loadOf, type RunFlags } from './run-flags.js';
import { connectTimeoutMessage, runExitCode, runRenderings } from './run-report.js';
import { checkStreamFlags } from './stream-flags.js';
import { tlsConfigFrom } from './tls-files.js';
import { xdsBootstrapOf, type XdsBootstrapSource } from './xds-flags.js';
import { xdsUnreadyNote } from '../report/xds.js';

/** A run of `target` as the flags describe it, ready to start. */
export interface TargetRun {
  readonly info: TargetInfo;
  readonly options: ProbeOptions;
  /** The channel uses TLS (for the words of exit 3). */
  readonly tls: boolean;
  /** The addresses the target resolves to, looked up once beside the run. */
  readonly resolvedAddresses: Promise<string[] | null>;
  /** An `xds:` target's bootstrap, checked; null for other targets. */
  readonly xds: XdsBootstrapSource | null;
  /** The analysis of a result of this run, with the flags' expected set and gates. */
  analysisOf(result: RunResult, resolvedAddresses: readonly string[] | null, discovery: DiscoveryResult | null): ProbeReport;
}

/**
 * The target, channel, call and analysis the flags describe, before any RPC.
 * @throws UsageError for a bad target, TLS files or call.
 */
export async function prepareTargetRun(target: string, flags: RunFlags): Promise<TargetRun> {
  const info = targetInfoOf(target);
  const xds = xdsBootstrapOf(target, flags.xdsBootstrap);
  const channel = { ...channelOf(target, flags), xdsBootstrap: xds?.perChannel === true ? xds.json : null };
  const call = await prepareCall(flags, { channel, metadata: flags.metadata ?? [], deadlineMs: flags.deadlineMs });
  checkStreamFlags(flags, call.method);
  const options: ProbeOptions = { ...loadOf(flags), ...channel, call, backendFrom: flags.backendFrom };
  return {
    info,
    options,
    tls: options.tls !== null && options.tls !== undefined,
    resolvedAddresses: resolveTargetAddresses(info),
    xds,
    analysisOf: (result, resolvedAddresses, discovery) =>
      analyze(result, {
        expectedBackends: flags.expectBackends ?? null,
        resolvedAddresses,
        topology: null,
        gates: gateLimits(flags),
        discovery,
        staticTarget: info.staticAddresses !== null,
        defaultPort: info.portDefaulted ? DEFAULT_PORT : null,
        cluster: gatherClusterFacts(info, resolvedAddresses),
      }),
  };
}

/**
 * Probes `target` as `flags` say and returns its report; a second signal saves the run so far.
 * @throws UsageError for a bad target, TLS files or call; TargetUnavailableError (exit 3) when
 *   no channel was ready within --connect-timeout.
 */
export async function runTarget(target: string, flags: RunFlags, context: CommandContext): Promise<CommandReport> {
  const { info, options, tls, analysisOf, resolvedAddresses, xds } = await prepareTargetRun(target, flags);
  const runStarted = performance.now();
  const kubernetes = await startKubernetes(flags, info, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, () => performance.now() - runStarted);
  context.defer(() => kubernetes?.stop());
  const run = startRun(() => startProbe(options, context.signal), options);
  context.saveOnSecondSignal(() => runRenderings(analysisOf(run.partialResult(), null, null), context.plan));
  context.progress.follow(target, run.snapshot);
  const result = withKubernetes(await run.done, kubernetes);
  context.progress.stop();
  if (result.stopReason === 'connect-timeout') return connectTimeoutReport(analysisOf(result, await settledWithin(resolvedAddresses, RESOLVE_WAIT_MS), null), context, tls, xds);
  if (result.timeline.intervalMs !== flags.interval) {
    process.stderr.write(`grpclb-probe: --interval ${flags.interval} ms: the timeline used ${result.timeline.intervalMs} ms to stay within ${MAX_TIMELINE_INTERVALS} intervals\n`);
  }
  const resolved = await resolvedAddresses;
  // The API's ready endpoints count the backends behind a ClusterIP: no sweep needed.
  const sweepConnections = result.kubernetes ? 0 : (flags.discover ?? DEFAULT_DISCOVERY_CONNECTIONS);
  const sweep = await sweepIfPinned(result, resolved, options, sweepConnections, context.signal);
  // A signal during the sweep interrupts the command: the run's report, marked so, exit 130;
  // the cut sweep is left out (its probes stopped early, so its count of backends would be low).
  const interrupted = context.signal.aborted;
  const ended = interrupted && result.stopReason !== 'interrupted' ? { ...result, stopReason: 'interrupted' as const } : result;
  const report = analysisOf(ended, resolved, interrupted ? null : sweep);
  return { renderings: runRenderings(report, context.plan), exitCode: () => runExitCode(report, tls) };
}

/** How long a run that never connected waits for the target's addresses to say what was tried. */
const RESOLVE_WAIT_MS = 500;

/** `promise`'s value, or null when it takes longer than `ms` (or fails). */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  const late = delay(ms, null, { ref: false });
  return Promise.race([promise.catch(() => null), late]);
}

/**
 * A run that never connected: exit 3 with its one line, and still the document of `-o json`
 * (and --out, the step summary) with stopReason `connect-timeout`, the connection error and the
 * addresses tried, so a CI step that parses stdout gets one. No table: the line says it all.
 */
function connectTimeoutReport(report: ProbeReport, context: CommandContext, tls: boolean, xds: XdsBootstrapSource | null): CommandReport {
  // An xDS channel waits on its control plane before any connection: what it was told says why.
  const xdsCause = xds === null ? null : xdsUnreadyNote(report.result.xds ?? null, xds.serverUris[0] as string);
  const unavailable = new TargetUnavailableError(connectTimeoutMessage(report.result, tls, report.defaultPort, xdsCause));
  return {
    renderings: { ...runRenderings(report, context.plan), table: () => '' },
    exitCode: () => {
      throw unavailable;
    },
  };
}

/** @throws UsageError naming --target. */
function targetInfoOf(target: string): TargetInfo {
  let info;
  try {
    info = parseTarget(target);
  } catch (error) {
    throw new UsageError(`--target: ${(error as TargetError).message}`);
  }
  if (targetHasDnsAuthority(target) && !alternativeResolverEnabled()) {
    throw new UsageError('--target: a DNS authority needs GRPC_NODE_USE_ALTERNATIVE_RESOLVER=true (it is set for you unless you set it otherwise)');
  }
  return info;
}

/** The channel the flags describe. @throws UsageError naming a TLS file that is wrong. */
function channelOf(target: string, flags: RunFlags): ChannelConfig {
  return {
    target,
    lbPolicy: flags.lbPolicy ?? null,
    serviceConfig: flags.serviceConfig ?? null,
    channelArgs: flags.channelArg ?? {},
    reResolveIntervalMs: flags.reResolveInterval ?? null,
    authority: flags.authority,
    tls: tlsConfigFrom(flags),
  };
}

/** Starts the probe with `start`. @throws UsageError with grpc-js's word on the target or the credentials. */
export function startRun<Run>(start: () => Run, options: ProbeOptions): Run {
  try {
    return start();
  } catch (error) {
    // grpc-js validates the target and the credentials when the channel is created.
    throw new UsageError(`--target${options.tls ? '/--tls' : ''}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * The discovery sweep, when the run saw one peer and some RPC succeeded (and `connections` > 0,
 * and the run was not interrupted): its backends widen the expected set. Not when the target
 * resolved to several addresses: fresh channels would pick the same first address again
 * (grpc-js pick_first does not shuffle by default), and those addresses are the evidence.
 */
async function sweepIfPinned(
  result: RunResult,
  resolved: readonly string[] | null,
  options: ProbeOptions,
  connections: number,
  signal: AbortSignal,
): Promise<DiscoveryResult | null> {
  if (connections === 0 || result.peers.length > 1 || result.rpcs.ok === 0 || signal.aborted) return null;
  if (resolved !== null && resolved.length > 1) return null;
  return discoverBackends({ ...options, connections }, signal);
}
