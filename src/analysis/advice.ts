// The fixes the diagnosis advises, worded once, and the choices between them that do not depend
// on which rule fired. The rules (verdict.ts, time-verdict.ts) pick a fix; this file spells it.

/** Fixes, worded once. Sources: gRPC "Load Balancing in gRPC" doc; Kubernetes Service docs. */
export const FIXES = {
  roundRobin: 'set the round_robin LB policy in the service config (loadBalancingConfig) so the channel uses every address',
  headless: 'use a headless Service (clusterIP: None) and the round_robin LB policy, or put an L7 proxy or a mesh in front',
  maxAge:
    'set max connection age on the servers so clients reconnect and re-resolve (and lower grpc.dns_min_time_between_resolutions_ms)',
  lateJoiners:
    'lower grpc.dns_min_time_between_resolutions_ms on the clients (default 30 s), with max connection age on the servers, so new pods get RPCs sooner',
  perRpc:
    'max connection age is already in effect and moves connections now and then; for per-RPC balancing use a headless Service with round_robin, or an L7 proxy or mesh',
  errors: 'look at the failing status and the backends\u2019 health before reading the distribution',
  staticList: 'a static list is never re-resolved: list every backend in the target, or use a DNS name (a headless Service) with round_robin',
  identity:
    'find out which server answers: a reply header, trailer or field that names it (--backend-from header:NAME, trailer:NAME or field:PATH); ' +
    'a proxy told to add its upstream (README: proxies that name their upstream); or deploy `grpclb-probe serve` behind the Service to see how it balances',
} as const;

/** Said in a cause instead of advising max connection age when the run shows it, or reconnects, at work. */
export const REPLACED_IN_EFFECT = 'connections are already being replaced during the run (max connection age or reconnects are in effect)';

/**
 * The fix for RPCs that skip backends the client could reach by re-resolving: a static list is
 * never re-resolved, so list every backend; otherwise max connection age makes clients re-resolve.
 */
export function reResolveFix(staticTarget: boolean | undefined): string {
  return staticTarget === true ? FIXES.staticList : FIXES.maxAge;
}

/**
 * The fix when the client itself was saturated and failed RPCs a healthy target would have answered.
 * @param loadFlags the flags that load the client, with their values (saturation.ts `loadFlags`); default `--concurrency`.
 */
export function saturatedClientFix(loadFlags: string | undefined): string {
  return `lower ${loadFlags ?? '--concurrency'}, or spread the load over more client processes`;
}

/**
 * The fix for an address that appeared in DNS and got no RPC: round_robin needs only to
 * re-resolve (max connection age); any other policy (pick_first) needs round_robin first.
 */
export function newAddressFix(lbPolicy: string | null): string {
  return lbPolicy === 'round_robin' ? FIXES.maxAge : `${FIXES.roundRobin}; and ${FIXES.maxAge}`;
}

/**
 * The fix for late joiners: a slow one (long after it appeared in DNS) asks for faster
 * re-resolution; otherwise nothing when the spread has settled, else max connection age.
 */
export function lateJoinerFix(slow: boolean, settledBalanced: boolean): string | null {
  if (slow) return FIXES.lateJoiners;
  return settledBalanced ? null : FIXES.maxAge;
}
