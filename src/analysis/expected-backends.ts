// The expected backend set: how many backends the fair share is taken over, from the largest
// evidence of how many exist. Pure.

/**
 * Where the number of expected backends came from:
 * - `flag`: `--expect-backends`;
 * - `lab`: the lab's replica count;
 * - `addresses`: the addresses the target resolved to;
 * - `discovery`: the backends a sweep of fresh connections reached;
 * - `peers`: the distinct peers the run connected to;
 * - `seen`: the backends that answered the run.
 */
export type ExpectedSource = 'flag' | 'lab' | 'addresses' | 'discovery' | 'peers' | 'seen';

/** Every piece of evidence of how many backends exist; null where there is none. */
export interface BackendEvidence {
  /** `--expect-backends N`. */
  readonly flag: number | null;
  /** The lab's replica count, when the lab runs the probe. */
  readonly lab?: number | null;
  /** Addresses the target resolved to. */
  readonly addresses: number | null;
  /** Backends that answered (or were named by a failed RPC) during the run. */
  readonly seen: number;
  /** Distinct peers of the run. */
  readonly peers: number;
  /** Backends the discovery sweep reached; null when no sweep ran. */
  readonly discovery: number | null;
}

/** The expected set: its size and the evidence that gave it. */
export interface ExpectedBackends {
  /** N: the largest evidence; 0 when nothing answered and nothing else is known. */
  readonly count: number;
  readonly from: ExpectedSource;
  readonly evidence: BackendEvidence;
}

/** Ties go to the first: the flag says it outright; backends seen answer for themselves; a sweep proves more exist; addresses may be a VIP. */
const PRECEDENCE: readonly ExpectedSource[] = ['flag', 'lab', 'seen', 'discovery', 'addresses', 'peers'];

/**
 * The largest evidence wins: `--expect-backends 3` with 5 backends answering judges over 5,
 * and pinned to one of 3 resolved addresses is judged over 3.
 */
export function expectedBackends(evidence: BackendEvidence): ExpectedBackends {
  let count = 0;
  let from: ExpectedSource = 'seen';
  for (const source of PRECEDENCE) {
    const value = evidence[source] ?? 0;
    if (value > count) {
      count = value;
      from = source;
    }
  }
  return { count, from, evidence };
}

/**
 * The evidence in words, for a cause: `a sweep of 8 fresh connections behind 127.0.2.1:50051 reached 3`.
 * @param discovery the sweep's size and address, when the evidence came from it.
 */
export function describeEvidence(
  count: number,
  from: ExpectedSource,
  discovery: { readonly connections: number; readonly address: string } | null,
): string {
  switch (from) {
    case 'flag':
      return `--expect-backends ${count}`;
    case 'lab':
      return `the lab runs ${count}`;
    case 'addresses':
      return `the target resolves to ${count} addresses`;
    case 'discovery':
      return discovery === null
        ? `a discovery sweep reached ${count}`
        : `a sweep of ${discovery.connections} fresh connections behind ${discovery.address} reached ${count}`;
    case 'peers':
      return `${count} peers seen`;
    case 'seen':
      return `${count} answered`;
  }
}
