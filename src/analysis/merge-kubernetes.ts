// merge's part for the Kubernetes facts (`kubernetes: 'merged'` in MERGE_RULES): the Service as
// the probe pods' runs read it, made one block: endpoints unioned by address, the changes every
// pod's watch saw put on the merged clock once, pod/node/zone per backend kept where the inputs
// agree. Whatever the inputs disagree on is said in `conflicts`, never settled silently. Pure.
import type { BackendPlacement, EndpointChange, KubernetesEndpoint, KubernetesFacts } from '../result/kubernetes.js';
import type { RunDocumentInput } from '../result/json-document.js';
import type { BackendResult } from '../result/run-result.js';

/**
 * The same change (address, pod, what happened) seen by several probe pods' watches within this
 * many ms of each other on the merged clock is one change: each pod watches the same Service.
 */
export const SAME_CHANGE_WINDOW_MS = 2000;

/** What merge keeps of the inputs' Kubernetes facts. */
export interface MergedKubernetes {
  /** The merged block; null when no input read the API. */
  readonly facts: KubernetesFacts | null;
  /** Per backend name, its pod, node and zone where every input that placed it agreed. */
  readonly placements: ReadonlyMap<string, BackendPlacement>;
}

/** One input as this part reads it: its file, its document, its start on the merged clock. */
interface Placed {
  readonly file: string;
  readonly facts: KubernetesFacts | null;
  readonly document: RunDocumentInput;
  readonly offsetMs: number;
}

/** `value (a.json), other (b.json)`: each distinct value with the files that had it. */
function disagreement(values: readonly { file: string; text: string }[]): string | null {
  const files = new Map<string, string[]>();
  for (const { file, text } of values) files.set(text, [...(files.get(text) ?? []), file]);
  if (files.size < 2) return null;
  return [...files.entries()].map(([text, names]) => `${text} (${names.join(', ')})`).join(', ');
}

function placementText(placement: BackendPlacement): string {
  return `pod ${placement.pod ?? '-'}, node ${placement.node ?? '-'}, zone ${placement.zone ?? '-'}`;
}

/** The Service's own fields, from the first input; a field the others differ on is a conflict. */
function serviceConflicts(read: readonly Placed[]): string[] {
  const fields: [string, (facts: KubernetesFacts) => string][] = [
    ['Service', (facts) => `${facts.namespace}/${facts.service}`],
    ['type', (facts) => (facts.headless ? `${facts.type} headless` : facts.type)],
    ['cluster IPs', (facts) => facts.clusterIps.join(' ') || 'none'],
    ['trafficDistribution', (facts) => facts.trafficDistribution ?? 'none'],
  ];
  return fields.flatMap(([name, pick]) => {
    const said = disagreement(read.map((input) => ({ file: input.file, text: pick(input.facts as KubernetesFacts) })));
    return said === null ? [] : [`${name}: ${said}`];
  });
}

/**
 * Endpoints by address; where several inputs list one, the one that ended last says its state
 * (ready, terminating: it changes over a rollout), and a pod, node or zone that differs between
 * them (an address reused by another pod) is a conflict.
 */
function mergeEndpoints(read: readonly Placed[], conflicts: string[]): KubernetesEndpoint[] {
  const byAddress = new Map<string, { endpoint: KubernetesEndpoint; endMs: number; seen: { file: string; text: string }[] }>();
  for (const input of read) {
    const endMs = input.offsetMs + input.document.elapsedMs;
    for (const endpoint of (input.facts as KubernetesFacts).endpoints) {
      const seen = { file: input.file, text: placementText(endpoint) };
      const known = byAddress.get(endpoint.address);
      if (known === undefined) byAddress.set(endpoint.address, { endpoint, endMs, seen: [seen] });
      else {
        known.seen.push(seen);
        if (endMs >= known.endMs) Object.assign(known, { endpoint, endMs });
      }
    }
  }
  for (const [address, { seen }] of byAddress) {
    const said = disagreement(seen);
    if (said !== null) conflicts.push(`endpoint ${address}: ${said}`);
  }
  return [...byAddress.values()].map((entry) => entry.endpoint);
}

/** The inputs' changes on the merged clock, in order, each change the pods' watches all saw kept once. */
function mergeChanges(read: readonly Placed[]): EndpointChange[] {
  const all = read
    .flatMap((input) => (input.facts as KubernetesFacts).changes.map((change) => ({ ...change, atMs: change.atMs + input.offsetMs })))
    .sort((left, right) => left.atMs - right.atMs);
  const kept: EndpointChange[] = [];
  const lastKept = new Map<string, number>();
  for (const change of all) {
    const key = `${change.address}\u0000${change.pod ?? ''}\u0000${change.change}`;
    const before = lastKept.get(key);
    if (before !== undefined && change.atMs - before <= SAME_CHANGE_WINDOW_MS) continue;
    lastKept.set(key, change.atMs);
    kept.push(change);
  }
  return kept;
}

/** Pod, node and zone per backend name where every input that placed it agreed; the others are conflicts. */
function mergePlacements(inputs: readonly Placed[], conflicts: string[]): Map<string, BackendPlacement> {
  const seen = new Map<string, { placement: BackendPlacement; file: string; text: string }[]>();
  for (const input of inputs) {
    for (const backend of input.document.backends as readonly BackendResult[]) {
      if (backend.pod === undefined && backend.node === undefined && backend.zone === undefined) continue;
      const placement: BackendPlacement = { pod: backend.pod ?? null, node: backend.node ?? null, zone: backend.zone ?? null };
      seen.set(backend.name, [...(seen.get(backend.name) ?? []), { placement, file: input.file, text: placementText(placement) }]);
    }
  }
  const placements = new Map<string, BackendPlacement>();
  for (const [name, entries] of seen) {
    const said = disagreement(entries);
    if (said === null) placements.set(name, (entries[0] as { placement: BackendPlacement }).placement);
    else conflicts.push(`backend ${name}: ${said}`);
  }
  return placements;
}

/**
 * The inputs' `kubernetes` blocks as one: the Service from the first input that read it,
 * endpoints unioned, changes deduplicated on the merged clock, watch errors named per file, and
 * `conflicts` for every disagreement (a Service field, an endpoint's pod/node/zone, a backend's
 * placement, inputs that did not read the API).
 * @param offsetsMs each input's start after the earliest one, ms (in the order of `inputs`)
 */
export function mergeKubernetes(inputs: readonly { file: string; document: RunDocumentInput }[], offsetsMs: readonly number[]): MergedKubernetes {
  const placed: Placed[] = inputs.map((input, index) => ({ ...input, facts: input.document.kubernetes ?? null, offsetMs: offsetsMs[index] ?? 0 }));
  const read = placed.filter((input) => input.facts !== null);
  const first = read[0]?.facts ?? null;
  if (first === null) return { facts: null, placements: new Map() };
  // An input that is itself a merge brings its own conflicts along.
  const conflicts = [...read.flatMap((input) => (input.facts?.conflicts ?? []).map((conflict) => `${input.file}: ${conflict}`)), ...serviceConflicts(read)];
  const unread = placed.filter((input) => input.facts === null).map((input) => input.file);
  if (unread.length > 0) conflicts.push(`${unread.join(', ')} did not read the Kubernetes API (${read.length} of ${placed.length} inputs did)`);
  const endpoints = mergeEndpoints(read, conflicts);
  const placements = mergePlacements(placed, conflicts);
  const errors = read.flatMap((input) => (input.facts?.watchError == null ? [] : [`${input.file}: ${input.facts.watchError}`]));
  const facts: KubernetesFacts = {
    ...first,
    endpoints,
    changes: mergeChanges(read),
    watchError: errors.length === 0 ? null : errors.join('; '),
    conflicts,
  };
  return { facts, placements };
}

/** `backends` with the pod, node and zone merge kept for each (none where the inputs disagreed or none placed it). */
export function placeMergedBackends(backends: readonly BackendResult[], placements: ReadonlyMap<string, BackendPlacement>): BackendResult[] {
  return backends.map((backend) => {
    const placement = placements.get(backend.name);
    return placement === undefined ? backend : { ...backend, ...placement };
  });
}
