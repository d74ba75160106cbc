// Whether the run can tell its backends apart: replies that name the server, or peers that are
// backends because each is one of several addresses the target resolved to and was reached
// directly. When neither holds behind one address, the spread cannot be judged; a name several
// peers share (a zone) does not tell servers apart, and the run is judged by peer. Pure.
import type { RunResult } from '../result/run-result.js';
import type { DiagnosisFacts } from './facts.js';

/**
 * Backends named by peer are backends in their own right: the replies name no server, more
 * than one address was resolved, and every peer is one of them (an `ipv4:`/`ipv6:` list, a
 * headless Service's pod IPs, any name resolving to several addresses, reached directly).
 */
export function peersAreBackends(facts: DiagnosisFacts): boolean {
  return facts.backendsByPeer === true && (facts.resolvedAddresses ?? 0) > 1 && facts.peersResolved === true;
}

/**
 * The one address behind which backends cannot be told apart: the replies name no server,
 * every RPC went through that one peer, and it is not one of several resolved addresses (it may
 * be a ClusterIP VIP, an L4 balancer or a proxy). Null when the backends can be told apart.
 */
export function opaqueAddress(facts: DiagnosisFacts): string | null {
  const peer = facts.onlyPeer ?? null;
  if (facts.backendsByPeer !== true || peer === null || peersAreBackends(facts)) return null;
  return peer;
}

/**
 * Why the spread cannot be judged, for the verdict and the gates; null when it can. `--expect-backends 1`
 * says there is one backend behind the address, so there is nothing to tell apart; any other
 * `--expect-backends` does not change what the replies fail to say.
 */
export function cannotJudge(facts: DiagnosisFacts): string | null {
  const address = opaqueAddress(facts);
  if (address === null || facts.expectBackendsFlag === 1) return null;
  return `the backends behind ${address} cannot be told apart (replies do not name the server)`;
}

/** How the note on names several peers share ends (the generic by-peer note is then left out). */
export const JUDGED_BY_PEER = 'the run is judged by peer';

/** A name several peers gave, each of them no other: a value the replicas share (a zone), not a server's name. */
export interface SharedName {
  readonly name: string;
  /** The peers that answered under it, sorted. */
  readonly peers: readonly string[];
}

/**
 * Names that do not identify servers: each was given by more than one peer that answered, and
 * every one of those peers only ever gave that name (the same zone on every replica, with RPCs
 * switching between them). Not a proxy or VIP (one peer, many names), nor a proxy tier (several
 * peers, each giving many names). From the run's names and its {@link RunResult.byPeer} view.
 */
export function namesSharedByPeers(result: RunResult): SharedName[] {
  if (result.byPeer === undefined) return [];
  const answeringPeers = new Set(result.byPeer.backends.filter((backend) => backend.rpcs > 0).map((backend) => backend.name));
  const named = result.backends.filter((backend) => backend.rpcs > 0);
  const namesAt = new Map<string, number>();
  for (const backend of named) for (const peer of backend.peers) if (answeringPeers.has(peer)) namesAt.set(peer, (namesAt.get(peer) ?? 0) + 1);
  return named
    .map((backend) => ({ name: backend.name, peers: backend.peers.filter((peer) => answeringPeers.has(peer)) }))
    .filter((shared) => shared.peers.length > 1 && !shared.peers.includes(shared.name) && shared.peers.every((peer) => namesAt.get(peer) === 1));
}

/**
 * The result the run is judged by: named by peer (backends, timeline, channel matrix, peer
 * changes from {@link RunResult.byPeer}) with a note when {@link namesSharedByPeers} finds names
 * that do not identify servers, else the result as it is; `byPeer` is left out either way.
 */
export function judgedResult(result: RunResult): RunResult {
  const { byPeer, ...rest } = result;
  const shared = namesSharedByPeers(result);
  if (byPeer === undefined || shared.length === 0) return rest;
  const used = result.identity?.used ?? 'the reply';
  const listed = shared.map((entry) => `"${entry.name}" came from ${entry.peers.length} peers (${entry.peers.join(', ')})`).join('; ');
  const note = `${used} does not identify servers: ${listed}, each of which only ever gave that name; ${JUDGED_BY_PEER}`;
  const identity = result.identity ?? { asked: 'auto', used: null, namedByPeer: 0, notes: [] };
  return {
    ...rest,
    backends: byPeer.backends,
    timeline: { ...result.timeline, buckets: result.timeline.buckets.map((bucket, index) => ({ ...bucket, rpcs: byPeer.timelineRpcs[index] ?? {} })) },
    channelMatrix: byPeer.channelMatrix,
    peerChanges: byPeer.peerChanges,
    identity: { ...identity, used: 'peer', namedByPeer: result.rpcs.ok, notes: [...identity.notes, note] },
  };
}
