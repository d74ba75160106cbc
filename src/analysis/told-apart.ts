// Whether the run can tell its backends apart: replies that name the server, or peers that are
// backends because each is one of several addresses the target resolved to and was reached
// directly. When neither holds behind one address, the spread cannot be judged. Pure.
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
