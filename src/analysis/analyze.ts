// Puts a run result together with its statistics, diagnosis and gates: the report model
// every reporter (table, JSON, markdown) renders.
import type { DiscoveryResult, RunEvent, RunResult } from '../result/run-result.js';
import type { ClusterFacts } from './cluster-hints.js';
import { diagnose } from './diagnosis.js';
import { timelineFacts } from './events.js';
import { expectedBackends } from './expected-backends.js';
import { factsFromResult } from './facts.js';
import { kubernetesEvents, kubernetesNotes, readyEndpoints } from './kubernetes.js';
import { endOfRun } from './end-of-run.js';
import { evaluateGates, type GateLimits } from './gates.js';
import { proxyLevel } from './proxy-level.js';
import { computeSkew } from './skew.js';
import { streamCounts, streamFacts } from './streams.js';
import { cannotJudge, judgedResult } from './told-apart.js';
import { weightedSkew, xdsAddresses } from './xds-weights.js';
import { xdsNackNotes } from './xds-nack.js';
import type { ProbeReport, Topology } from '../result/report.js';

/** What the analysis needs besides the result. */
export interface AnalysisContext {
  /** `--expect-backends`; null: judge over the largest other evidence. */
  readonly expectedBackends: number | null;
  /** The lab's replica count, when the lab ran the probe. */
  readonly labReplicas?: number | null;
  readonly resolvedAddresses: readonly string[] | null;
  readonly topology: Topology | null;
  readonly gates?: GateLimits;
  /** The port used because the target named none; default null. */
  readonly defaultPort?: number | null;
  /** UNSTABLE above this error rate; default 5 %, or `--max-error-rate` when given. */
  readonly unstableErrorRate?: number;
  /** The discovery sweep's outcome; null or absent: none ran. */
  readonly discovery?: DiscoveryResult | null;
  /** The target is a static list (`ipv4:`, `ipv6:`, an IP literal), never re-resolved. */
  readonly staticTarget?: boolean;
  /** Events only the caller knows (a lab scenario's `pod-added`, ...), merged with the run's own. */
  readonly extraEvents?: readonly RunEvent[];
  /** Where the probe ran and how the target's name resolves, for the in-cluster hints. */
  readonly cluster?: ClusterFacts | null;
  /** Proxies that exist behind the target (the lab's proxy tier); null or absent: the ones replies named. */
  readonly expectedProxies?: number | null;
}

/** Computes the expected set, skew, diagnosis and gates for a result. Pure. */
export function analyze(run: RunResult, context: AnalysisContext): ProbeReport {
  const result = judgedResult(run);
  const discovery = context.discovery ?? null;
  const kubernetes = result.kubernetes ?? null;
  // An xds: target resolves to the endpoints its control plane pushed (as CSDS read them).
  const resolvedAddresses = context.resolvedAddresses ?? xdsAddresses(result);
  const expected = expectedBackends({
    flag: context.expectedBackends,
    lab: context.labReplicas ?? null,
    addresses: resolvedAddresses === null ? null : resolvedAddresses.length,
    seen: result.backends.length,
    peers: result.peers.length,
    discovery: discovery === null ? null : discovery.backends.length,
    ...(kubernetes === null ? {} : { endpoints: readyEndpoints(kubernetes).length }),
  });
  // A streaming call is judged, and gated, on its stream shares.
  const counts = result.streams === undefined || result.streams === null ? result.backends : streamCounts(result);
  const evenSkew = computeSkew(counts, expected.count > 0 ? expected.count : null, expected.from);
  const weighted = weightedSkew(result, counts);
  const skew = weighted === null ? evenSkew : { ...evenSkew, weighted };
  // A result without raw observations (a merge) carries the inputs' endpoint events in its events already.
  const endpointEvents = result.peerChanges === undefined ? [] : kubernetesEvents(kubernetes);
  const timeline = timelineFacts(result, [...(context.extraEvents ?? []), ...endpointEvents]);
  const facts = factsFromResult(result, skew, {
    resolvedAddresses: resolvedAddresses === null ? null : resolvedAddresses.length,
    resolvedList: resolvedAddresses,
    topology: context.topology,
    unstableErrorRate: context.unstableErrorRate ?? context.gates?.maxErrorRate,
    expectBackendsFlag: context.expectedBackends,
    discovery,
    staticTarget: context.staticTarget ?? false,
    timeline,
    cluster: context.cluster ?? null,
    streams: streamFacts(result, timeline.events),
  });
  const judged = diagnose(facts);
  const proxies = proxyLevel(result, context.expectedProxies ?? null, skew);
  // The verdict judges the pods; the proxy level is said beside it, first among the notes.
  const placed = kubernetes === null ? judged : { ...judged, notes: [...judged.notes, ...kubernetesNotes(kubernetes, result.backends, resolvedAddresses)] };
  const told = xdsNackNotes(result);
  const refused = told.length === 0 ? placed : { ...placed, notes: [...told, ...placed.notes] };
  const diagnosis = proxies === null ? refused : { ...refused, notes: [proxies.reading, ...refused.notes] };
  const ended = endOfRun(result, timeline);
  const gates = evaluateGates(context.gates ?? {}, {
    skew,
    diagnosis,
    rpcsTotal: result.rpcs.total,
    rpcsFailed: result.rpcs.failed,
    cannotJudge: cannotJudge(facts),
    ended,
  });
  return { result, expected, skew, diagnosis, gates, resolvedAddresses, discovery, events: timeline.events, defaultPort: context.defaultPort ?? null, proxyLevel: proxies, endOfRun: ended };
}
