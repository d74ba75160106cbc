// The verdict that reads time (issue 10): what the time facts of events.ts say about the run,
// a backend that stopped answering, an address in DNS that got no RPC, a late joiner,
// connections being replaced. Checked after the run is found readable, before the spread. Pure.
import { formatAtMs } from '../result/units.js';
import { FIXES, lateJoinerFix, newAddressFix } from './advice.js';
import type { LateBackend, TimelineFacts } from './events.js';
import type { DiagnosisFacts } from './facts.js';
import { POLLING_FIX, pollingText } from './polling.js';
import { computeSkew } from './skew.js';
import { XDS_UNREACHED_FIX } from './xds-weights.js';
import type { Diagnosis } from '../result/report.js';

/** grpc's default minimum time between re-resolutions (`grpc.dns_min_time_between_resolutions_ms`, grpc-node resolver-dns.ts). */
const DEFAULT_MIN_TIME_BETWEEN_RESOLUTIONS_MS = 30_000;
/** A late joiner whose first RPC came more than this long after it appeared in DNS is slow to join, ms. */
const SLOW_JOIN_MS = 5000;

/** The settled window's reading: text for a cause (`; since 30.2 s: balanced over 4`), and whether it is balanced. */
interface Since {
  readonly text: string;
  readonly balanced: boolean;
}

/**
 * The rules that read time, in order: a backend that stopped answering, an address that
 * appeared in DNS and got no RPC, a late joiner, connections being replaced. Null when
 * `facts.timeline` is absent or none applies.
 */
export function timeVerdict(facts: DiagnosisFacts, notes: readonly string[]): Diagnosis | null {
  const time = facts.timeline;
  if (time === null || time === undefined) return null;
  return stoppedVerdict(facts, time, notes) ?? newAddressVerdict(facts, time, notes) ?? lateJoinerVerdict(facts, time, notes) ?? reconnectionVerdict(facts, time, notes);
}

/** A backend stopped answering: with failures, after leaving DNS or the xDS endpoints, or with no reconnection to explain it. */
function stoppedVerdict(facts: DiagnosisFacts, time: TimelineFacts, notes: readonly string[]): Diagnosis | null {
  const stopped = time.stoppedBackends.filter((entry) => entry.failedAfter > 0 || entry.leftAtMs !== null || time.reconnections === 0);
  const first = stopped[0];
  if (first === undefined) return null;
  const since = sinceText(facts);
  const failures =
    first.failedAfter === 0 ? 'no RPC failed' : `${first.failedAfter} RPC${first.failedAfter === 1 ? '' : 's'} failed ${first.topStatus ?? ''}`.trim();
  const gone = first.leftBy === 'xds' ? 'the xDS control plane removed its endpoint' : 'its address left DNS';
  const left = first.leftAtMs === null ? '' : ` after ${gone} at ${formatAtMs(first.leftAtMs)}`;
  const more = stopped.length > 1 ? ` (and ${stopped.length - 1} more backend${stopped.length > 2 ? 's' : ''})` : '';
  const tookOver = first.othersTookOver ? 'the others took over' : 'the others did not take over its share';
  const fine = first.othersTookOver && since.balanced;
  return {
    verdict: fine ? 'BALANCED' : 'PARTIAL',
    cause: `${first.backend} stopped answering at ${formatAtMs(first.lastRpcAtMs)}${left}${more}: ${failures}, ${tookOver}${since.text}`,
    fix: fine ? null : FIXES.errors,
    notes,
  };
}

/** An address appeared in DNS during the run and got no RPC (with several backends, or round_robin). */
function newAddressVerdict(facts: DiagnosisFacts, time: TimelineFacts, notes: readonly string[]): Diagnosis | null {
  const appeared = time.unusedAddresses.filter((entry) => entry.sinceMs > 0);
  const first = appeared[0];
  if (first === undefined || (facts.skew.backends.length <= 1 && facts.lbPolicy !== 'round_robin')) return null;
  const more = appeared.length > 1 ? ` (and ${appeared.length - 1} more address${appeared.length > 2 ? 'es' : ''})` : '';
  const polling = pollingText(facts);
  const why =
    polling !== null
      ? `${polling} and had not used it by the end`
      : facts.lbPolicy === 'round_robin'
        ? 'round_robin resolved once and re-resolves only when a connection drops'
        : `${facts.lbPolicy ?? 'pick_first'} keeps the connections it has and re-resolves only when one drops`;
  return {
    verdict: 'PARTIAL',
    cause: `${first.address} appeared in DNS at ${formatAtMs(first.sinceMs)} and got no RPC${more}: ${why}`,
    fix: polling !== null && facts.lbPolicy === 'round_robin' ? POLLING_FIX : newAddressFix(facts.lbPolicy),
    notes,
  };
}

/** A backend got its first RPC after the others: the last of them, and how long after it appeared in DNS. */
function lateJoinerVerdict(facts: DiagnosisFacts, time: TimelineFacts, notes: readonly string[]): Diagnosis | null {
  if (time.lateBackends.length === 0) return null;
  const last = time.lateBackends.reduce((latest, entry) => (entry.firstRpcAtMs > latest.firstRpcAtMs ? entry : latest));
  const since = sinceText(facts);
  const count = time.lateBackends.length;
  if (last.appearedBy === 'xds' && last.appearedAtMs !== null) {
    // Pushed endpoints are not late joiners: the client was told, and used them, as they came.
    const more = count > 1 ? ` (${count} pods pushed during the run)` : '';
    return { verdict: since.balanced ? 'BALANCED' : 'PARTIAL', cause: `${pushedStory(last, last.appearedAtMs)}${more}${since.text}`, fix: since.balanced ? null : XDS_UNREACHED_FIX, notes };
  }
  const more = count > 1 ? ` (${count} late joiners)` : '';
  const slow = last.appearedAtMs !== null && last.firstRpcAtMs - last.appearedAtMs > SLOW_JOIN_MS;
  return {
    verdict: since.balanced ? 'BALANCED' : 'PARTIAL',
    cause: `${lateJoinerStory(last, facts.minTimeBetweenResolutionsMs ?? null, pollingText(facts))}${more}${since.text}`,
    fix: lateJoinerFix(slow, since.balanced),
    notes,
  };
}

/** A pod the lab's xDS control plane pushed (EDS) during the run, and how soon the client used it. */
function pushedStory(last: LateBackend, pushedAtMs: number): string {
  const after = last.firstRpcAtMs >= pushedAtMs ? `${formatAtMs(last.firstRpcAtMs - pushedAtMs)} after` : 'as';
  return `${last.backend} got its first RPC ${after} the xDS control plane pushed it (EDS at ${formatAtMs(pushedAtMs)}: pushed, with no DNS re-resolution and no reconnection)`;
}

/** What happened to one late joiner, with grpc's re-resolution limit (or the channel's polling) when it appeared in DNS. */
function lateJoinerStory(last: LateBackend, minTimeBetweenResolutionsMs: number | null, polling: string | null): string {
  const minMs = minTimeBetweenResolutionsMs ?? DEFAULT_MIN_TIME_BETWEEN_RESOLUTIONS_MS;
  const limit =
    polling !== null
      ? polling
      : minTimeBetweenResolutionsMs === null
      ? `gRPC re-resolves at most every ${minMs / 1000} s by default`
      : `grpc.dns_min_time_between_resolutions_ms is ${minMs} here`;
  if (last.appearedAtMs === null) {
    return `${last.backend} got its first RPC at ${formatAtMs(last.firstRpcAtMs)}, after the others (a late joiner)`;
  }
  if (last.firstRpcAtMs >= last.appearedAtMs) {
    return (
      `${last.backend} appeared in DNS at ${formatAtMs(last.appearedAtMs)} and got its first RPC at ${formatAtMs(last.firstRpcAtMs)} ` +
      `(${formatAtMs(last.firstRpcAtMs - last.appearedAtMs)} later: ${limit})`
    );
  }
  // The channel's resolver saw it before the probe's own watch polled again.
  return `${last.backend} got its first RPC at ${formatAtMs(last.firstRpcAtMs)}, as soon as it appeared in DNS (${limit})`;
}

/** One peer, several backends over time, reconnections: connections are being replaced. */
function reconnectionVerdict(facts: DiagnosisFacts, time: TimelineFacts, notes: readonly string[]): Diagnosis | null {
  const { skew } = facts;
  const seen = skew.backends.length;
  if (time.reconnections === 0 || facts.peers !== 1 || seen <= 1) return null;
  const spread = skew.balanced ? '' : `; the spread is uneven (skew ${skew.skew.toFixed(2)})`;
  return {
    verdict: skew.balanced ? 'BALANCED' : 'PARTIAL',
    cause: `connections are being replaced (max connection age or GOAWAY): ${time.reconnections} reconnection${time.reconnections === 1 ? '' : 's'}, ${seen} backends over time${spread}`,
    fix: skew.balanced ? null : FIXES.perRpc,
    notes,
  };
}

/** `; since 30.2 s: balanced over 4` from the settled window, and whether that window is balanced. */
function sinceText(facts: DiagnosisFacts): Since {
  const settled = facts.timeline?.settled ?? null;
  if (settled === null) return { text: '', balanced: facts.skew.balanced };
  const window = computeSkew(settled.counts, null);
  const answering = window.backends.length;
  // One backend over a target that resolves to several is pinned, not balanced.
  const balanced = window.totalRpcs > 0 && window.balanced && (answering > 1 || (facts.resolvedAddresses ?? 1) <= 1);
  const state =
    window.totalRpcs === 0
      ? 'no RPC succeeded'
      : answering === 1 && !balanced
        ? `one backend of ${facts.resolvedAddresses} addresses`
        : `${balanced ? 'balanced' : `uneven (skew ${window.skew.toFixed(2)})`} over ${answering}`;
  return { text: `; since ${formatAtMs(settled.sinceMs)}: ${state}`, balanced };
}
