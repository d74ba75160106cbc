// `grpclb-probe run`: probe a target over one (or K) channels, or, with no target, the lab.
import { Command, Option } from 'commander';
import grpc from '@grpc/grpc-js';
import { analyze } from '../analysis/analyze.js';
import { describeFailedGates } from '../analysis/gates.js';
import { clientSaturation, loadFlags } from '../analysis/saturation.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../engine/connect.js';
import { DEFAULT_DISCOVERY_CONNECTIONS, discoverBackends } from '../engine/discovery.js';
import { startProbe, type ProbeOptions, type ProbeRun, type Warmup } from '../engine/probe.js';
import { MAX_TIMELINE_INTERVALS } from '../engine/recorder.js';
import type { DiscoveryResult, RunResult } from '../result/run-result.js';
import { type ChannelConfig } from '../grpc/channel.js';
import { alternativeResolverEnabled, targetHasDnsAuthority } from '../grpc/alternative-resolver.js';
import { DEFAULT_PORT, parseTarget, resolveTargetAddresses, TargetError } from '../grpc/target.js';
import { shortDetails, transportHint } from '../grpc/transport-hint.js';
import { compareSetups, comparisonOf } from '../lab/compare.js';
import type { ClusterIpMode } from '../lab/l4-vip.js';
import type { Lab } from '../lab/topology.js';
import { addCallFlags, CALL_FLAG_NAMES, prepareCall, validateCallFlags, type CallFlags } from './call-flags.js';
import { gatherClusterFacts } from './cluster-facts.js';
import { addGateFlags, gateLimits, type GateFlags } from './gate-flags.js';
import { startLab } from './lab.js';
import { renderJson } from '../report/json.js';
import { renderLabJson, renderLabMarkdown, renderLabTable } from '../report/lab.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderLabHtml, renderRunHtml } from '../report/html/page.js';
import { renderTable } from '../report/table.js';
import { checkClientLimits } from './client-limits.js';
import { EXIT, LabStartError, TargetUnavailableError, UsageError } from './errors.js';
import { interruptOnSignals } from './interrupt.js';
import { checkOutputFiles, emitReport, OUTPUT_FORMATS, planOutput, startProgress, type OutputFlags, type OutputPlan, type Renderings } from './output.js';
import * as parse from './parse.js';
import { tlsConfigFrom } from './tls-files.js';
import type { ProbeReport } from '../result/report.js';
import { LB_POLICIES, type LbPolicy, type ServiceConfig } from '../result/run-result.js';
import { type LabComparison, SETUPS, type Setup } from '../result/lab.js';

/** The flags of `run` as commander parses them. */
export interface RunFlags extends OutputFlags, CallFlags, GateFlags {
  target?: string;
  total?: number;
  duration?: number;
  concurrency: number;
  channels: number;
  rps?: number;
  warmup?: Warmup;
  interval: number;
  watchInterval?: number;
  connectTimeout?: number;
  deadlineMs: number;
  lbPolicy?: LbPolicy;
  channelArg?: Record<string, string | number>;
  serviceConfig?: ServiceConfig;
  metadata?: parse.MetadataEntry[];
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
}

/** Default RPC count when neither --total nor --duration is given. */
export const DEFAULT_CALLS = 300;

const EXAMPLES = `
Examples:
  $ grpclb-probe run                                    # the lab: ClusterIP vs headless vs proxy
  $ grpclb-probe run -t greeter.prod.svc.cluster.local:50051
  $ grpclb-probe run -t dns:///greeter-headless:50051 --lb-policy round_robin --expect-backends 5
  $ grpclb-probe run -t 10.0.0.7:50051 --duration 30s --concurrency 16 --channels 4 --rps 500
  $ grpclb-probe run -t my-svc:443 --tls --server-name my-svc.example.com --output json > result.json
  $ grpclb-probe run -t my-svc:50051 --expect balanced --max-skew 1.3 --min-backends 3   # CI gate
  $ grpclb-probe run -t dns:///greeter-headless:50051 --lb-policy round_robin -z 60s \\
      --channel-arg grpc.dns_min_time_between_resolutions_ms=5000   # try the fix the report recommends
  $ grpclb-probe run -t dns:///echo:9000 --proto echo.proto --call echo.Echo/Say -d '{"text":"hi"}' --lb-policy round_robin
  $ grpclb-probe run -t my-svc:50051 --call shop.Cart/Get -d '{"id":"1"}'      # types by server reflection
  $ grpclb-probe run -t my-svc:50051 --call grpc.health.v1.Health/Check --health-service shop.Cart
  $ grpclb-probe run -t my-svc:50051 --call shop.Cart/Get --backend-from header:x-pod-name
  $ grpclb-probe run -t my-svc:50051 -z 5m -o html --out probe.html   # one offline page with every chart

Who answered (--backend-from auto): the "hostname" response header or trailer, else a reply
field named hostname, pod, server_id, host or backend, else "hostname:X" in a string field,
else the peer address. Replies that name no server through one address give the verdict UNKNOWN.

Output: the table fits the terminal (else COLUMNS, else 80 columns); the live view needs a
terminal other than TERM=dumb; colors follow --no-color, FORCE_COLOR, NO_COLOR.

Exit codes:
  0 ok, 1 gate failed, 2 usage error, 3 target unavailable (no RPC succeeded),
  4 lab failed to start, 74 --out/GITHUB_STEP_SUMMARY not written (the report went to stdout),
  130 interrupted by SIGINT/SIGTERM/SIGHUP (the partial report is still printed and saved);
  exit 3 says whether the target was unavailable or answered and rejected every call
`;

/** Registers `run` on `program`. */
export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description(
      'Fire repeated unary RPCs (SayHello, or --call) over one channel (or --channels K) and tabulate which backend answered (the name it reports, else its peer address), ' +
        'with skew statistics, latency and a diagnosis. Without --target, build a local lab and compare ' +
        'ClusterIP, headless DNS, headless with round_robin, an L7 proxy and a static list side by side.',
    )
    .option('-t, --target <target>', 'gRPC target: host:port, dns:///host:port, dns://DNS_IP:PORT/host:port, ipv4:a:p,b:p, ipv6:, unix:');
  addCallFlags(command)
    .option('-n, --total <n>', `measured RPCs (default ${DEFAULT_CALLS} unless --duration)`, parse.integerAtLeast(1))
    .option('-z, --duration <duration>', 'run for this long instead of a count: 30s, 2m', parse.duration)
    .option('-c, --concurrency <n>', 'RPCs in flight at once (at most 50000)', parse.integerAtLeast(1), 1)
    .option('--channels <k>', 'channels, each with its own connections (models K client pods)', parse.integerAtLeast(1), 1)
    .option('--rps <rate>', 'fixed rate in RPC/s over all channels (open loop: latency from each RPC\u2019s intended send time; slots with every RPC in flight are dropped and counted)', parse.rate)
    .option('--warmup <n|duration>', 'RPCs (50) or time (2s) first, left out of the statistics', parse.warmup)
    .addOption(new Option('--interval <duration>', `timeline interval, >= 1ms (coarsened to keep <= ${MAX_TIMELINE_INTERVALS} intervals)`).argParser(parse.interval).default(1000, '1s'))
    .option('--watch-interval <duration>', 'resolve a DNS target during the run to see addresses come and go (default: the record TTL, 1..30 s; 0: off)', parse.watchInterval)
    .option('--deadline-ms <ms>', 'per-RPC deadline in ms', parse.milliseconds(1), 1000)
    .addOption(
      new Option('--connect-timeout <duration>', 'wait this long for the channel to be ready before the run; exit 3 with the last connection error if it is not')
        .argParser(parse.duration)
        .default(DEFAULT_CONNECT_TIMEOUT_MS, '10s'),
    )
    .addOption(new Option('--lb-policy <policy>', 'LB policy sent in the service config (default: the channel default)').choices(LB_POLICIES))
    .option('--channel-arg <key=value>', 'grpc-js channel argument, repeatable: grpc.dns_min_time_between_resolutions_ms=1000', parse.channelArg)
    .option('--service-config <json|@file>', 'full service config (loadBalancingConfig, methodConfig, healthCheckConfig)', parse.serviceConfig)
    .option('-H, --metadata <key:value>', 'request metadata, repeatable; keys ending in -bin take base64', parse.metadataEntry)
    .option('--authority <authority>', 'the :authority header')
    .option('--tls', 'use TLS (default plaintext)')
    .option('--ca-cert <file>', 'PEM root certificates (with --tls)')
    .option('--cert <file>', 'PEM client certificate chain (with --tls and --key)')
    .option('--key <file>', 'PEM client private key (with --tls and --cert)')
    .option('--server-name <name>', 'name checked against the server certificate (with --tls)')
    .option('--expect-backends <n>', `backends that should answer: the fair share is over these (<= ${parse.MAX_EXPECTED_BACKENDS})`, parse.integerBetween(1, parse.MAX_EXPECTED_BACKENDS))
    .option(
      '--discover <n>',
      'when the run saw one peer: open n fresh connections, one RPC each, to learn how many backends answer behind it (0: off)',
      parse.integerAtLeast(0),
      DEFAULT_DISCOVERY_CONNECTIONS,
    );
  addGateFlags(command)
    .addOption(new Option('-o, --output <format>', 'report format on stdout; html needs --out (a self-contained page)').choices(OUTPUT_FORMATS).default('table'))
    .option('--out <file>', 'write the report, in the chosen format, to this file; stdout then shows the table')
    .option('-q, --quiet', 'no progress on stderr')
    .option('--no-color', 'no colors (NO_COLOR and FORCE_COLOR=0 too; FORCE_COLOR=1 forces them)')
    .option('--replicas <n>', `lab only: Greeter pods (default 3, at most ${parse.MAX_LAB_REPLICAS})`, parse.integerBetween(1, parse.MAX_LAB_REPLICAS, ': lab pods take 127.0.10.2 upwards'))
    .option('--setups <list>', `lab only: setups to compare (default all): ${SETUPS.join(',')}`, parse.listOf(SETUPS))
    .addOption(new Option('--clusterip-mode <mode>', 'lab only: how the VIP picks a pod per connection (default iptables)').choices(['iptables', 'ipvs-rr']))
    .addHelpText('after', EXAMPLES)
    .action(async (flags: RunFlags) => {
      try {
        process.exitCode = await runCommand(flags);
      } finally {
        exitIfLingering();
      }
    });
}

/** How long a finished run may take to let its last sockets go before the process ends anyway, ms. */
const LINGER_MS = 2000;

/**
 * The report is out and the channels are closed; after a saturated run grpc-js can still hold an
 * HTTP/2 session whose streams never closed, keeping the process up long after the run. An
 * unref'd timer ends the process then, with the exit code already set, and costs nothing otherwise.
 */
function exitIfLingering(): void {
  setTimeout(() => process.exit(), LINGER_MS).unref();
}

/** Cross-field validation, in one place. @throws UsageError naming the flags. */
export function validateRunFlags(flags: RunFlags): void {
  if (flags.total !== undefined && flags.duration !== undefined) {
    throw new UsageError('--total and --duration exclude each other: bound the run by a count or by time');
  }
  if (flags.channels > flags.concurrency) {
    throw new UsageError(`--channels (${flags.channels}) cannot exceed --concurrency (${flags.concurrency}): each channel needs an RPC in flight`);
  }
  checkClientLimits({ concurrency: flags.concurrency, channels: flags.channels, connectionsPerChannel: connectionsPerChannel(flags) });
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
  if (flags.target === undefined) {
    const targetOnly = (['lbPolicy', 'serviceConfig', 'authority', 'tls', 'expectBackends', 'maxSkew', 'minBackends', 'expect', 'maxErrorRate', 'metadata', ...CALL_FLAG_NAMES] as const).filter(
      (name) => flags[name] !== undefined,
    );
    if (targetOnly.length > 0) {
      throw new UsageError(`${flagList(targetOnly)} ${targetOnly.length === 1 ? 'needs' : 'need'} --target (the lab sets its own policies and gates)`);
    }
  } else {
    const labOnly = (['replicas', 'setups', 'clusteripMode'] as const).filter((name) => flags[name] !== undefined);
    if (labOnly.length > 0) {
      throw new UsageError(`${flagList(labOnly)} only ${labOnly.length === 1 ? 'applies' : 'apply'} to the lab (run without --target)`);
    }
  }
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

function loadOf(flags: RunFlags): Omit<ProbeOptions, 'target' | 'lbPolicy'> {
  return {
    calls: flags.duration !== undefined ? null : (flags.total ?? DEFAULT_CALLS),
    durationMs: flags.duration ?? null,
    concurrency: flags.concurrency,
    channels: flags.channels,
    rps: flags.rps ?? null,
    deadlineMs: flags.deadlineMs,
    warmup: flags.warmup ?? null,
    connectTimeoutMs: flags.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
    intervalMs: flags.interval,
    watchIntervalMs: flags.watchInterval ?? null,
    metadata: flags.metadata ?? [],
    channelArgs: flags.channelArg ?? {},
  };
}

/** Runs `run` and returns the exit code. @throws CliError subclasses for usage and lab errors. */
export async function runCommand(flags: RunFlags): Promise<number> {
  validateRunFlags(flags);
  const plan = planOutput(flags);
  checkOutputFiles(plan);
  return flags.target === undefined ? runLab(flags, plan) : runTarget(flags.target, flags, plan);
}

async function runTarget(target: string, flags: RunFlags, plan: OutputPlan): Promise<number> {
  let info;
  try {
    info = parseTarget(target);
  } catch (error) {
    throw new UsageError(`--target: ${(error as TargetError).message}`);
  }
  if (targetHasDnsAuthority(target) && !alternativeResolverEnabled()) {
    throw new UsageError('--target: a DNS authority needs GRPC_NODE_USE_ALTERNATIVE_RESOLVER=true (it is set for you unless you set it otherwise)');
  }
  const channel: ChannelConfig = {
    target,
    lbPolicy: flags.lbPolicy ?? null,
    serviceConfig: flags.serviceConfig ?? null,
    channelArgs: flags.channelArg ?? {},
    authority: flags.authority,
    tls: tlsConfigFrom(flags),
  };
  const call = await prepareCall(flags, { channel, metadata: flags.metadata ?? [], deadlineMs: flags.deadlineMs });
  const options: ProbeOptions = {
    ...loadOf(flags),
    ...channel,
    call,
    backendFrom: flags.backendFrom,
  };
  const gates = gateLimits(flags);
  const progress = await startProgress(plan);
  let run: ProbeRun | undefined;
  const analysisOf = (result: RunResult, resolvedAddresses: string[] | null, discovery: DiscoveryResult | null): ProbeReport =>
    analyze(result, {
      expectedBackends: flags.expectBackends ?? null,
      resolvedAddresses,
      topology: null,
      gates,
      discovery,
      staticTarget: info.staticAddresses !== null,
      defaultPort: info.portDefaulted ? DEFAULT_PORT : null,
      cluster: gatherClusterFacts(info, resolvedAddresses),
    });
  const interrupt = interruptOnSignals({
    beforeNotice: () => progress.stop(),
    // A second Ctrl-C: save what was measured so far, synchronously, before the exit.
    beforeExit: () => {
      if (run !== undefined) emitReport(plan, renderingsOf(analysisOf(run.partialResult(), null, null), plan));
    },
  });
  try {
    const resolvedPromise = resolveTargetAddresses(info);
    try {
      run = startProbe(options, interrupt.signal);
    } catch (error) {
      // grpc-js validates the target and the credentials when the channel is created.
      throw new UsageError(`--target${options.tls ? '/--tls' : ''}: ${(error as Error).message.split('\n')[0]}`);
    }
    progress.follow(target, run.snapshot);
    const result = await run.done;
    progress.stop();
    if (result.stopReason === 'connect-timeout') throw new TargetUnavailableError(connectTimeoutMessage(result, options.tls !== null && options.tls !== undefined));
    if (result.timeline.intervalMs !== flags.interval) {
      process.stderr.write(
        `grpclb-probe: --interval ${flags.interval} ms: the timeline used ${result.timeline.intervalMs} ms to stay within ${MAX_TIMELINE_INTERVALS} intervals\n`,
      );
    }
    const discovery = await sweepIfPinned(result, options, flags.discover ?? DEFAULT_DISCOVERY_CONNECTIONS, interrupt.signal);
    const report = analysisOf(result, await resolvedPromise, discovery);
    const written = emitReport(plan, renderingsOf(report, plan));
    const code = exitCodeOf(report, options.tls !== null && options.tls !== undefined);
    return code === EXIT.ok && !written ? EXIT.ioError : code;
  } finally {
    progress.stop();
    interrupt.dispose();
  }
}

/**
 * The discovery sweep, when the run saw one peer and some RPC succeeded (and `connections` > 0,
 * and the run was not interrupted): its backends widen the expected set.
 */
async function sweepIfPinned(result: RunResult, options: ProbeOptions, connections: number, signal: AbortSignal): Promise<DiscoveryResult | null> {
  if (connections === 0 || result.peers.length > 1 || result.rpcs.ok === 0 || signal.aborted) return null;
  return discoverBackends(
    { ...options, connections },
    signal,
  );
}

function renderingsOf(report: ProbeReport, plan: OutputPlan): Renderings {
  return {
    table: () => renderTable(report, { color: plan.color, width: plan.columns }),
    json: () => renderJson(report, { compact: plan.compactJson }),
    markdown: () => renderMarkdown(report),
    html: () => renderRunHtml(report),
  };
}

function exitCodeOf(report: ProbeReport, tls: boolean): number {
  const { result } = report;
  if (result.stopReason === 'interrupted') return EXIT.interrupted;
  if (result.rpcs.total > 0 && result.rpcs.ok === 0) {
    throw new TargetUnavailableError(noSuccessMessage(result, tls));
  }
  const failedGates = describeFailedGates(report.gates);
  for (const line of failedGates) process.stderr.write(`grpclb-probe: ${line}\n`);
  return failedGates.length > 0 ? EXIT.gateFailed : EXIT.ok;
}

/** Statuses that mean no server answered the RPC (gRPC doc "statuscodes.md"). */
const UNAVAILABLE_STATUSES = new Set(['UNAVAILABLE', 'DEADLINE_EXCEEDED']);

/** What to try for a status every RPC was rejected with. */
const REJECTION_HINTS: Record<string, string> = {
  UNIMPLEMENTED: 'check --call (pkg.Service/Method as the server defines it), or the --proto/--protoset it comes from',
  UNAUTHENTICATED: 'the server wants credentials: --tls (with --ca-cert), or a token in -H/--metadata',
  PERMISSION_DENIED: 'the server refused these credentials: check -H/--metadata and --cert/--key',
  INVALID_ARGUMENT: 'the server rejected the request: check -d/--data',
  NOT_FOUND: 'the server does not know what was asked for: check -d/--data (or --health-service)',
  NOT_SERVING: 'the backends answered their health check with NOT_SERVING',
  SERVICE_UNKNOWN: 'the server does not know --health-service',
};

/**
 * Exit 3's message: "target unavailable" when every failure was UNAVAILABLE or
 * DEADLINE_EXCEEDED, else "the target answered but rejected every call" with the top status
 * and a hint.
 */
/** Exit 3 before any RPC: no channel was ready in time. The last connection error, shortened, with a transport hint when one applies. */
export function connectTimeoutMessage(result: RunResult, tls = false): string {
  const waitedS = ((result.connect?.waitedMs ?? 0) / 1000).toFixed(1);
  const error = result.connect?.error ?? null;
  const hint = error === null ? null : transportHint(error, tls);
  return (
    `cannot connect to ${result.target} within ${waitedS} s (--connect-timeout): ` +
    `${error === null ? 'no channel became ready' : shortDetails(error)}${hint === null ? '' : `; ${hint}`}`
  );
}

export function noSuccessMessage(result: RunResult, tls = false): string {
  const statusText = (error: { status: string; details: string; example?: string } | undefined): string => {
    if (error === undefined) return '';
    const code = grpc.status[error.status as keyof typeof grpc.status];
    return `${code === undefined ? '' : `${code} `}${error.status}: ${shortDetails(error.example ?? error.details)}`;
  };
  const saturation = clientSaturation(result);
  if (saturation !== null) {
    // A healthy target looks unavailable to a client too busy to send or read in time.
    return `no RPC to ${result.target} succeeded (${result.rpcs.failed} failed): the client was saturated (${saturation}), not necessarily the target: lower ${loadFlags(result)}; last error ${statusText(result.errors[0])}`;
  }
  const head = `no RPC to ${result.target} succeeded (${result.rpcs.failed} failed)`;
  const rejected = Object.keys(result.rpcs.byStatus).filter((status) => status !== 'OK' && !UNAVAILABLE_STATUSES.has(status));
  if (rejected.length === 0) {
    // A TLS mix-up or a server that is not gRPC, said in words (transport-hint.ts).
    const hint = result.errors[0] === undefined ? null : transportHint(result.errors[0].details, tls);
    return `${head}: target unavailable: ${statusText(result.errors[0])}${hint === null ? '' : `; ${hint}`}`;
  }
  const top = result.errors.find((error) => rejected.includes(error.status));
  const hint = top === undefined ? undefined : REJECTION_HINTS[top.status];
  const backends = result.backends.length > 0 ? ` by ${result.backends.length} backend${result.backends.length === 1 ? '' : 's'}` : '';
  return `${head}: the target answered but rejected every call${backends}: ${statusText(top)}${hint === undefined ? '' : `; hint: ${hint}`}`;
}

function labRenderingsOf(comparison: LabComparison, plan: OutputPlan): Renderings {
  return {
    table: () => renderLabTable(comparison, { color: plan.color, width: plan.columns }),
    json: () => renderLabJson(comparison),
    markdown: () => renderLabMarkdown(comparison),
    html: () => renderLabHtml(comparison),
  };
}

async function runLab(flags: RunFlags, plan: OutputPlan): Promise<number> {
  if (!alternativeResolverEnabled()) {
    throw new LabStartError('the lab needs GRPC_NODE_USE_ALTERNATIVE_RESOLVER=true for its DNS server; unset it or set it to true');
  }
  const setups = flags.setups ?? [...SETUPS];
  const progress = await startProgress(plan);
  const started: { setup: Setup; run: ProbeRun }[] = [];
  let lab: Lab | undefined;
  const interrupt = interruptOnSignals({
    beforeNotice: () => progress.stop(),
    // A second Ctrl-C: the setups done and the one under way, as measured so far.
    beforeExit: () => {
      if (lab === undefined) return;
      const runs = started.map(({ setup, run }) => ({ setup, result: run.partialResult() }));
      const rest = setups.filter((setup) => !started.some((entry) => entry.setup === setup)).map((setup) => ({ setup, reason: 'interrupted' }));
      emitReport(plan, labRenderingsOf(comparisonOf(lab, runs, rest, true), plan));
    },
  });
  try {
    lab = await startLab({ replicas: flags.replicas ?? 3, clusterIpMode: flags.clusteripMode });
  } catch (error) {
    interrupt.dispose();
    throw error;
  }
  try {
    const comparison = await compareSetups(lab, setups, loadOf(flags), interrupt.signal, (setup, run) => {
      started.push({ setup, run });
      progress.follow(`lab: ${setup} (${setups.indexOf(setup) + 1}/${setups.length})`, run.snapshot);
    });
    progress.stop();
    const written = emitReport(plan, labRenderingsOf(comparison, plan));
    return comparison.interrupted ? EXIT.interrupted : written ? EXIT.ok : EXIT.ioError;
  } finally {
    progress.stop();
    interrupt.dispose();
    await lab.close();
  }
}
