// The static verdict: what a run's totals say, reading no time. First whether the run can be
// read at all (UNSTABLE, UNKNOWN), last the spread (PINNED, PARTIAL, BALANCED); the rules that
// read time (time-verdict.ts) come between. One rule per cause, checked in order; pure.
import { DEFAULT_UNSTABLE_ERROR_RATE, PER_RPC_CHANGE_RATE, PINNED_BY_CHANCE } from '../result/thresholds.js';
import { formatP } from '../result/units.js';
import { FIXES, REPLACED_IN_EFFECT, reResolveFix, saturatedClientFix } from './advice.js';
import { describeEvidence } from './expected-backends.js';
import { tooFewToJudge, type DiagnosisFacts } from './facts.js';
import { POLLING_FIX, pollingText } from './polling.js';
import { NEVER_ANSWERED_NOTE, SATURATED_NOTE, withoutNote } from './notes.js';
import { cannotJudge, opaqueAddress, peersAreBackends } from './told-apart.js';
import { weightedVerdict, XDS_UNREACHED_FIX } from './xds-weights.js';
import type { Diagnosis, SkewStats } from '../result/report.js';

/** An error rate for a cause: `10 %`, `2.5 %` (one decimal under 10 %). */
function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)} %`;
}

/** The chance, were the N backends picked uniformly per RPC, that every successful RPC hit one: N^(1-ok). */
function chanceOfOneBackend(skew: SkewStats): number {
  return Math.exp((1 - skew.totalRpcs) * Math.log(skew.expectedBackends));
}

/** UNSTABLE with `cause`; a saturated client fails RPCs a healthy target would have answered: say so, and what to lower. */
function unstable(facts: DiagnosisFacts, notes: readonly string[], cause: string): Diagnosis {
  const saturation = facts.clientSaturation ?? null;
  if (saturation === null) return { verdict: 'UNSTABLE', cause, fix: FIXES.errors, notes };
  return {
    verdict: 'UNSTABLE',
    cause: `${cause}: the client was saturated (${saturation}), not necessarily the target`,
    fix: saturatedClientFix(facts.loadFlags),
    notes: withoutNote(notes, SATURATED_NOTE),
  };
}

/**
 * The rules checked before any other: UNSTABLE when nothing was measured, nothing succeeded or
 * the error rate is above `facts.unstableErrorRate` (default 5 %); UNKNOWN when the backends
 * cannot be told apart (told-apart.ts `cannotJudge`: replies that name no server, every RPC through
 * one address that is not one of several resolved ones). Null when the run can be read.
 */
export function unreadableVerdict(facts: DiagnosisFacts, notes: readonly string[]): Diagnosis | null {
  const { skew } = facts;
  const errorRate = facts.rpcsTotal > 0 ? facts.rpcsFailed / facts.rpcsTotal : 0;
  const unstableAt = facts.unstableErrorRate ?? DEFAULT_UNSTABLE_ERROR_RATE;
  if (facts.rpcsTotal === 0 || skew.totalRpcs === 0) {
    return unstable(facts, notes, facts.rpcsTotal === 0 ? 'no RPC was measured' : `no RPC succeeded (${facts.topFailure ?? 'unknown status'})`);
  }
  if (errorRate > unstableAt) {
    return unstable(facts, notes, `${percent(errorRate)} of RPCs failed, mostly ${facts.topFailure ?? 'unknown status'} (threshold ${percent(unstableAt)})`);
  }
  if (cannotJudge(facts) !== null) {
    return { verdict: 'UNKNOWN', cause: opaqueCause(facts), fix: FIXES.identity, notes: withoutNote(notes, NEVER_ANSWERED_NOTE) };
  }
  return null;
}

/** What is known when backends behind one address cannot be told apart, and what it means behind each kind of balancer. */
function opaqueCause(facts: DiagnosisFacts): string {
  const connections = facts.channels > 1 ? `${facts.channels} HTTP/2 connections` : 'one HTTP/2 connection';
  const perConnection = facts.channels > 1 ? 'each connection\u2019s RPCs went to one pod' : 'every RPC went to one pod';
  return (
    `replies do not name the server and every RPC went over ${connections} to one address (${opaqueAddress(facts) ?? facts.onlyPeer ?? ''}): ` +
    `behind an L4 balancer (such as a ClusterIP Service) ${perConnection}; behind an L7 proxy they may be spread`
  );
}

/**
 * The verdict over the spread, in order: one expected backend; PINNED (one backend answered,
 * and not by chance: under `PINNED_BY_CHANCE`); UNKNOWN when too few RPCs to judge; PARTIAL
 * (idle or starved backends, or an uneven spread); else BALANCED.
 */
export function spreadVerdict(facts: DiagnosisFacts, notes: readonly string[]): Diagnosis {
  const { skew } = facts;
  const seen = skew.backends.length;
  if (skew.expectedBackends === 1) return oneExpectedVerdict(facts, notes);
  if (seen === 1 && (!tooFewToJudge(skew) || chanceOfOneBackend(skew) < PINNED_BY_CHANCE)) {
    return { verdict: 'PINNED', ...pinnedCause(facts), notes };
  }
  if (tooFewToJudge(skew)) {
    return {
      verdict: 'UNKNOWN',
      cause: `too few RPCs to tell: ${skew.totalRpcs} successful over ${skew.expectedBackends} backends, ${seen} of them answered`,
      fix: null,
      notes,
    };
  }
  // Weights the client was told (xDS) are expected skew: judged against them, not an even split.
  if (skew.weighted !== undefined && skew.weighted !== null) return weightedVerdict(skew.weighted, notes);
  if (skew.idleBackends > 0 || skew.starvedBackends > 0) {
    return { verdict: 'PARTIAL', ...partialCause(facts), notes };
  }
  if (!skew.balanced) return { verdict: 'PARTIAL', ...unevenCause(facts), notes };
  return { verdict: 'BALANCED', cause: balancedCause(facts, seen), fix: null, notes };
}

/** The cause of a BALANCED run over one backend. */
export const ONE_BACKEND = 'one backend: nothing to balance';

/**
 * One backend expected. BALANCED ({@link ONE_BACKEND}) when the evidence says there is one: the
 * flag or the lab says so, more than one peer reached it, or a sweep of fresh connections behind
 * the one address reached the same named backend. Otherwise (one peer and nothing else known)
 * PINNED, with a caveat.
 */
function oneExpectedVerdict(facts: DiagnosisFacts, notes: readonly string[]): Diagnosis {
  const sweep = facts.discovery ?? null;
  const sweptOne = sweep !== null && sweep.connections > 1 && sweep.backends === 1 && sweep.byPeer !== true && facts.backendsByPeer !== true;
  if (facts.skew.expectedFrom !== 'seen' || facts.peers > 1 || sweptOne) {
    const evidence = sweptOne ? ` (a sweep of ${sweep.connections} fresh connections behind ${sweep.address} reached the same backend)` : '';
    return { verdict: 'BALANCED', cause: `${ONE_BACKEND}${evidence}`, fix: null, notes: withoutNote(notes, NEVER_ANSWERED_NOTE) };
  }
  const caveat = 'if the service really has one backend this is expected; pass --expect-backends N to judge';
  return {
    verdict: 'PINNED',
    cause: onePeerCause(facts),
    fix: FIXES.headless,
    notes: [
      sweep === null
        ? caveat
        : `a sweep of ${sweep.connections} fresh connections behind ${sweep.address} reached ${sweep.backends === 1 ? 'the same backend' : `${sweep.backends} backends`}: ` +
          caveat,
      ...withoutNote(notes, NEVER_ANSWERED_NOTE),
    ],
  };
}

function pinnedCause(facts: DiagnosisFacts): { cause: string; fix: string } {
  const { skew } = facts;
  const sure = skew.expectedFrom === 'flag' || skew.expectedFrom === 'lab';
  const sweep = facts.discovery ?? null;
  const resolved = facts.resolvedAddresses ?? 0;
  const byAddress = peersAreBackends(facts) && skew.expectedFrom === 'addresses';
  const evidence = describeEvidence(skew.expectedBackends, skew.expectedFrom, sweep);
  // The lab's table already shows "1 of 3": its cause is the mechanism alone.
  const where =
    skew.expectedFrom === 'lab'
      ? ''
      : byAddress
        ? `1 of ${resolved} resolved addresses got every RPC: `
        : `every RPC went to 1 of ${sure ? '' : 'at least '}${skew.expectedBackends} backends (${evidence}): `;
  if (resolved > 1 && (facts.lbPolicy === null || facts.lbPolicy === 'pick_first')) {
    const policy = facts.lbPolicy === null ? 'pick_first (the channel default)' : facts.lbPolicy;
    return { cause: `${where}${policy} sends every RPC to the first address that connects`, fix: FIXES.roundRobin };
  }
  return { cause: `${where}${onePeerCause(facts)}`, fix: FIXES.headless };
}

function onePeerCause(facts: DiagnosisFacts): string {
  if (facts.topology === 'clusterip-vip') {
    return 'one TCP connection to the VIP; kube-proxy balances connections, not RPCs';
  }
  if (facts.channels > 1) {
    return `all ${facts.channels} channels reached the same backend over one address: an L4 load balancer (a ClusterIP Service) balances connections, not RPCs`;
  }
  return 'one channel, one TCP connection, one backend: an L4 load balancer (such as a Kubernetes ClusterIP Service) picks a backend per connection, not per RPC';
}

/** Every channel reached exactly one backend (more than one channel). */
function everyChannelPinned(facts: DiagnosisFacts): boolean {
  return facts.channels > 1 && facts.pinnedChannels === facts.channels;
}

function partialCause(facts: DiagnosisFacts): { cause: string; fix: string } {
  const { skew } = facts;
  const idle = skew.idleBackends;
  const what =
    idle > 0
      ? `${idle} of ${skew.expectedBackends} expected backends got no RPC`
      : `${skew.starvedBackends} of ${skew.expectedBackends} backends got less than half their fair share`;
  if (everyChannelPinned(facts)) {
    return {
      cause: `${what}: each of the ${facts.channels} channels is pinned to one backend over its one connection`,
      fix: FIXES.headless,
    };
  }
  if ((facts.xdsEndpoints ?? 0) > 0) {
    return { cause: `${what}: the xDS control plane pushed ${facts.xdsEndpoints} endpoints and the client got answers over ${facts.peers}`, fix: XDS_UNREACHED_FIX };
  }
  if (facts.staticTarget === true && facts.resolvedAddresses !== null && facts.resolvedAddresses < skew.expectedBackends) {
    return {
      cause: `${what}: the target is a static list of ${facts.resolvedAddresses} address${facts.resolvedAddresses === 1 ? '' : 'es'}, never re-resolved`,
      fix: FIXES.staticList,
    };
  }
  const polling = pollingText(facts);
  if (facts.lbPolicy === 'round_robin' && polling !== null) {
    return { cause: `${what}: round_robin over the addresses DNS returned, and ${polling}: backends added since get RPCs from its next poll on`, fix: POLLING_FIX };
  }
  if (facts.lbPolicy === 'round_robin' && facts.resolvedAddresses !== null && facts.resolvedAddresses < skew.expectedBackends && facts.connectionsReplaced !== true) {
    return {
      cause: `${what}: round_robin spreads over the ${facts.resolvedAddresses} addresses it resolved, and is blind to backends added since`,
      fix: FIXES.maxAge,
    };
  }
  if (facts.connectionsReplaced === true) {
    return { cause: `${what} over ${facts.peers} peer${facts.peers === 1 ? '' : 's'}; ${REPLACED_IN_EFFECT}`, fix: FIXES.headless };
  }
  if (facts.peers === 1) {
    return { cause: `${what}: one connection to one address, and the balancer behind it skips some backends`, fix: FIXES.headless };
  }
  return { cause: `${what} over ${facts.peers} peers`, fix: reResolveFix(facts.staticTarget) };
}

/** Every backend answered, unevenly: the skew and the chi-square test's p-value. */
function unevenCause(facts: DiagnosisFacts): { cause: string; fix: string } {
  const { skew } = facts;
  const p = skew.chiSquare === null ? '' : `, chi-square ${formatP(skew.chiSquare.pValue)}`;
  const uneven = `uneven spread over ${skew.backends.length} backends: skew ${skew.skew.toFixed(2)}${p}`;
  if (everyChannelPinned(facts)) return { cause: uneven, fix: FIXES.headless };
  if (facts.connectionsReplaced === true) return { cause: `${uneven}; ${REPLACED_IN_EFFECT}`, fix: FIXES.headless };
  return { cause: uneven, fix: reResolveFix(facts.staticTarget) };
}

function balancedCause(facts: DiagnosisFacts, seen: number): string {
  if (everyChannelPinned(facts)) {
    return `each of the ${facts.channels} channels is pinned to one backend, and together they cover all ${seen}`;
  }
  if (facts.topology === 'proxy' || (facts.peers === 1 && facts.switchRate >= PER_RPC_CHANGE_RATE)) {
    return 'the proxy picks a backend per RPC: one peer, many backends behind it (an L7 proxy or mesh)';
  }
  if (facts.peers === 1) {
    return `one peer, ${seen} backends, few switches: reconnections (max connection age) move the connection between backends`;
  }
  if ((facts.xdsEndpoints ?? 0) > 0) {
    return `the xDS control plane pushed ${facts.xdsEndpoints} endpoints (EDS) and the client balances over them (round_robin in each locality)`;
  }
  if (facts.lbPolicy === 'round_robin' && facts.peers >= seen) {
    const kind = facts.topology === 'dns-pods' || facts.topology === 'static-pods' ? 'pod IPs' : 'addresses';
    return `round_robin over ${facts.peers} ${kind}`;
  }
  return `${seen} backends share the RPCs evenly over ${facts.peers} peers`;
}
