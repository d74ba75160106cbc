// The expected backend set: how many backends the fair share is taken over, from the largest
// evidence of how many exist. Pure.
import type { BackendEvidence, ExpectedBackends, ExpectedSource } from '../result/report.js';
import { countOf } from '../result/units.js';

/**
 * Ties go to the first: the flag says it outright; the API's ready endpoints are the Service's
 * own count; backends seen answer for themselves; a sweep proves more exist; addresses may be a VIP.
 */
const PRECEDENCE: readonly ExpectedSource[] = ['flag', 'lab', 'endpoints', 'seen', 'discovery', 'addresses', 'peers'];

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
      return `the target resolves to ${countOf(count, 'address', 'addresses')}`;
    case 'discovery':
      return discovery === null
        ? `a discovery sweep reached ${count}`
        : `a sweep of ${discovery.connections} fresh connections behind ${discovery.address} reached ${count}`;
    case 'peers':
      return `${countOf(count, 'peer')} seen`;
    case 'seen':
      return `${count} answered`;
    case 'endpoints':
      return `the Service has ${count} ready endpoints (Kubernetes API)`;
  }
}
