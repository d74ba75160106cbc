// What the Kubernetes API's facts mean for the run: the Service type and ready endpoints (the
// expected set), resolved addresses that are not ready endpoints, endpoint changes as timeline
// events, zone skew against the ready endpoints per zone, and a merge's conflicts. Pure.
import type { KubernetesEndpoint, KubernetesFacts } from '../result/kubernetes.js';
import type { BackendResult, RunEvent } from '../result/run-result.js';
import { formatPercent } from '../result/units.js';

/** Conflicts of merged Kubernetes facts named in the note; all are in the JSON. */
const MAX_SHOWN_CONFLICTS = 5;

/** The ready endpoints' addresses, without repeats. */
export function readyEndpoints(facts: KubernetesFacts): KubernetesEndpoint[] {
  const seen = new Set<string>();
  return facts.endpoints.filter((endpoint) => endpoint.ready && !seen.has(endpoint.address) && seen.add(endpoint.address));
}

/** The IP of `host:port` or `[v6]:port`. */
function ipOf(address: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(address);
  if (bracketed !== null) return bracketed[1] as string;
  return address.includes('.') ? address.replace(/:\d+$/, '') : address;
}

/** The endpoint changes as timeline events (`pod-added` for added or ready, `pod-removed` for removed, not ready or terminating). */
export function kubernetesEvents(facts: KubernetesFacts | null | undefined): RunEvent[] {
  if (facts === null || facts === undefined) return [];
  return facts.changes.map((change) => ({
    atMs: change.atMs,
    kind: change.change === 'added' || change.change === 'ready' ? 'pod-added' : 'pod-removed',
    address: change.address,
    ...(change.pod === null ? {} : { backend: change.pod }),
    detail: `EndpointSlice: ${change.address}${change.pod === null ? '' : ` (pod ${change.pod})`} ${change.change === 'not-ready' ? 'not ready' : change.change}`,
  }));
}

/** What an address is to the Service, in words: `pod greeter-x, terminating`. */
function describeEndpoint(endpoint: KubernetesEndpoint | undefined): string {
  if (endpoint === undefined) return 'in no EndpointSlice';
  const state = endpoint.terminating ? 'terminating' : endpoint.ready ? 'ready' : 'not ready';
  return `${endpoint.pod === null ? 'an endpoint' : `pod ${endpoint.pod}`}, ${state}`;
}

/** Shares of RPCs per zone against the ready endpoints per zone, when backends sit in two zones or more. */
function zoneNote(facts: KubernetesFacts, backends: readonly BackendResult[]): string | null {
  const ready = readyEndpoints(facts);
  const endpointsPerZone = new Map<string, number>();
  for (const endpoint of ready) if (endpoint.zone !== null) endpointsPerZone.set(endpoint.zone, (endpointsPerZone.get(endpoint.zone) ?? 0) + 1);
  if (endpointsPerZone.size < 2) return null;
  const rpcsPerZone = new Map<string, number>();
  let total = 0;
  for (const backend of backends) {
    if (backend.zone === null || backend.zone === undefined) continue;
    rpcsPerZone.set(backend.zone, (rpcsPerZone.get(backend.zone) ?? 0) + backend.rpcs);
    total += backend.rpcs;
  }
  if (total === 0) return null;
  const parts = [...endpointsPerZone.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([zone, count]) => `${zone} ${formatPercent((rpcsPerZone.get(zone) ?? 0) / total)} of RPCs for ${formatPercent(count / ready.length)} of ready endpoints`);
  const hinted = ready.some((endpoint) => endpoint.hintZones.length > 0);
  const hint = hinted ? `; the EndpointSlices carry zone hints (topology-aware routing${facts.trafficDistribution === null ? '' : `, trafficDistribution ${facts.trafficDistribution}`})` : '';
  return `zones: ${parts.join('; ')}${hint}`;
}

/**
 * Notes from the Kubernetes API: what the Service is and how many endpoints are ready (the
 * evidence for the expected set), resolved addresses that are not ready endpoints, changes
 * during the run, zone skew, and a watch that ended early.
 * @param resolvedAddresses what the client resolved the target to (`ip:port`), or null
 */
export function kubernetesNotes(facts: KubernetesFacts, backends: readonly BackendResult[], resolvedAddresses: readonly string[] | null): string[] {
  const ready = readyEndpoints(facts);
  const kind = facts.headless ? 'headless (clusterIP: None)' : `${facts.type}${facts.clusterIps.length === 0 ? '' : ` ${facts.clusterIps.join(', ')}`}`;
  const notes = [`Kubernetes API: Service ${facts.namespace}/${facts.service} is ${kind} with ${ready.length} ready endpoint${ready.length === 1 ? '' : 's'}`];
  const byAddress = new Map(facts.endpoints.map((endpoint) => [endpoint.address, endpoint]));
  const readySet = new Set(ready.map((endpoint) => endpoint.address));
  const stray = (resolvedAddresses ?? []).map(ipOf).filter((ip) => !readySet.has(ip) && !facts.clusterIps.includes(ip));
  if (stray.length > 0) {
    const named = [...new Set(stray)].map((ip) => `${ip} (${describeEndpoint(byAddress.get(ip))})`);
    notes.push(`resolved to ${named.join(', ')}: not a ready endpoint of the Service (stale DNS, or a terminating pod still answering)`);
  }
  if (facts.changes.length > 0) notes.push(`the Service's endpoints changed ${facts.changes.length} time${facts.changes.length === 1 ? '' : 's'} during the run (see the events)`);
  const zones = zoneNote(facts, backends);
  if (zones !== null) notes.push(zones);
  if (facts.watchError !== null) notes.push(`the EndpointSlice watch ended early: ${facts.watchError}`);
  const conflicts = facts.conflicts ?? [];
  if (conflicts.length > 0) {
    const shown = conflicts.slice(0, MAX_SHOWN_CONFLICTS).join('; ');
    const more = conflicts.length > MAX_SHOWN_CONFLICTS ? `; and ${conflicts.length - MAX_SHOWN_CONFLICTS} more (kubernetes.conflicts)` : '';
    notes.push(`the merged runs disagree on the Kubernetes facts, so those are not settled: ${shown}${more}`);
  }
  return notes;
}

/** The backends with the pod, node and zone of the endpoint at their first peer that is one. */
export function placeBackends(backends: readonly BackendResult[], facts: KubernetesFacts): BackendResult[] {
  const byAddress = new Map(facts.endpoints.map((endpoint) => [endpoint.address, endpoint]));
  return backends.map((backend) => {
    const endpoint = backend.peers.map((peer) => byAddress.get(ipOf(peer))).find((found) => found !== undefined);
    return endpoint === undefined ? backend : { ...backend, pod: endpoint.pod, node: endpoint.node, zone: endpoint.zone };
  });
}
