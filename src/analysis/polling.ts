// How the diagnosis reads a channel that polls DNS (`--re-resolve-interval`, the thick client):
// not blind to pods added since its first resolution, at the price of DNS queries. Pure.
import { formatDuration } from '../result/units.js';
import type { DiagnosisFacts } from './facts.js';

/** Client pods in the cost example: the fleet size at which polling's load on CoreDNS is quoted. */
export const COST_EXAMPLE_CLIENTS = 1000;

/** The fix where a polling channel still misses pods: shorten the interval, or have changes pushed. */
export const POLLING_FIX =
  'polling finds new pods within one interval: shorten --re-resolve-interval (more DNS queries), or have endpoints pushed (xDS) or use an L7 proxy';

/** `the channel re-resolves every 2 s`, or null when it does not poll. */
export function pollingText(facts: Pick<DiagnosisFacts, 'reResolveIntervalMs'>): string | null {
  const intervalMs = facts.reResolveIntervalMs ?? null;
  return intervalMs === null ? null : `the channel re-resolves every ${formatDuration(intervalMs)}`;
}

/** DNS resolutions per second that `clients` client pods polling every `intervalMs` send CoreDNS. */
export function pollingQueriesPerSecond(clients: number, intervalMs: number): number {
  return (clients * 1000) / intervalMs;
}

/**
 * The cost of polling, as a note: the resolutions this run asked for, and what the same
 * interval costs CoreDNS at {@link COST_EXAMPLE_CLIENTS} client pods (each resolution is an A,
 * an AAAA and a TXT lookup in grpc-js's DNS resolver). Null when the channel does not poll.
 */
export function pollingNote(facts: Pick<DiagnosisFacts, 'reResolveIntervalMs' | 'resolutions' | 'channels'>): string | null {
  const intervalMs = facts.reResolveIntervalMs ?? null;
  if (intervalMs === null) return null;
  const asked = facts.resolutions ?? null;
  const run = asked === null ? '' : ` (${asked} resolution${asked === 1 ? '' : 's'} over ${facts.channels} channel${facts.channels === 1 ? '' : 's'} in this run)`;
  const perSecond = pollingQueriesPerSecond(COST_EXAMPLE_CLIENTS, intervalMs);
  return (
    `the channel polls DNS every ${formatDuration(intervalMs)}${run}: each client pod asks once per interval, ` +
    `so ${COST_EXAMPLE_CLIENTS.toLocaleString('en-US')} client pods polling every ${formatDuration(intervalMs)} send CoreDNS ` +
    `${Number(perSecond.toFixed(1)).toLocaleString('en-US')} resolutions/s (A, AAAA and TXT lookups each)`
  );
}
