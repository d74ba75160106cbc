// The diagnosis's notes: short caveats beside the verdict (how backends were named, the expected
// set, load the client could not keep, too few RPCs, per-client reach, in-cluster hints). Pure.
import { MIN_RPCS_PER_BACKEND, SHORTFALL } from '../result/thresholds.js';
import { countOf } from '../result/units.js';
import { clusterNotes } from './cluster-hints.js';
import { pollingNote } from './polling.js';
import { JUDGED_BY_PEER } from './told-apart.js';
import { tooFewToJudge, type ClientReach, type DiagnosisFacts } from './facts.js';

/** How the note asking for `--expect-backends` begins; a rule whose cause already covers it drops it. */
export const NEVER_ANSWERED_NOTE = 'backends that never answered';
/** How the note on a saturated client begins; the UNSTABLE rule that says it in its cause drops it. */
export const SATURATED_NOTE = 'the client was saturated';

/** `notes` without the ones that begin with `start`. */
export function withoutNote(notes: readonly string[], start: string): string[] {
  return notes.filter((note) => !note.startsWith(start));
}

/**
 * The per-client note of a merged run: "client pod A was pinned to X, B to Y" is the ClusterIP
 * skew across client pods (each pod's connection lands on one backend, kube-proxy picks per
 * connection), invisible from any one pod. Null with fewer than two clients.
 */
export function clientReachNote(clients: readonly ClientReach[]): string | null {
  if (clients.length < 2) return null;
  const reach = clients.map((entry) => `${entry.client} \u2192 ${entry.backends.length === 0 ? 'none' : entry.backends.join(', ')}`).join('; ');
  const pinned = clients.filter((entry) => entry.backends.length === 1).length;
  if (pinned === clients.length) {
    const distinct = new Set(clients.map((entry) => entry.backends[0])).size;
    return `each of the ${clients.length} client pods was pinned to one backend (${distinct} distinct): ${reach}`;
  }
  return `backends reached per client pod: ${reach}`;
}

/** Several addresses were resolved and each answered as a peer: nothing known is left to hear from. */
function everyAddressAnswered(facts: DiagnosisFacts): boolean {
  const resolved = facts.resolvedAddresses ?? 0;
  return resolved > 1 && facts.peersResolved === true && facts.peers >= resolved;
}

/** Notes on who answered: how backends were named, and the expected set they are judged over. */
function backendNotes(facts: DiagnosisFacts): string[] {
  const { skew } = facts;
  const notes: string[] = [...(facts.identityNotes ?? [])];
  const seen = skew.backends.length;
  const sharedNameNoted = notes.some((note) => note.endsWith(JUDGED_BY_PEER));
  if (facts.backendsByPeer === true && (facts.onlyPeer ?? null) === null && seen > 0 && !sharedNameNoted) {
    notes.push('the replies do not name the server: backends are told apart by peer address');
  }
  const flag = facts.expectBackendsFlag ?? null;
  if (flag !== null && seen > flag) {
    notes.push(`${countOf(seen, 'backend')} answered, ${flag} expected: judged over ${seen}`);
  } else if (flag === null && skew.expectedFrom === 'seen' && seen > 0 && !everyAddressAnswered(facts)) {
    const sweep = facts.discovery ?? null;
    const swept = sweep === null ? '' : ` (a sweep of ${sweep.connections} fresh connections behind ${sweep.address} reached ${sweep.backends})`;
    notes.push(`${NEVER_ANSWERED_NOTE} cannot be judged${swept}: pass --expect-backends N`);
  }
  return notes;
}

/** Notes on the load: a fixed rate the client or target could not keep, a saturated client. */
function loadNotes(facts: DiagnosisFacts): string[] {
  const notes: string[] = [];
  const rate = facts.rate ?? null;
  if (rate !== null && (rate.achievedRps < SHORTFALL * rate.askedRps || rate.dropped > 0)) {
    notes.push(
      `asked for ${rate.askedRps} RPC/s, achieved ${Math.round(rate.achievedRps)}` +
        `${rate.dropped > 0 ? ` (${countOf(rate.dropped, 'RPC')} dropped, never sent)` : ''}: the client or the target could not keep up; ` +
        (rate.autoConcurrency === true
          ? 'the in-flight cap was already sized to the rate: spread the load over more client processes, or the target is at its capacity'
          : 'raise --concurrency or --channels') +
        '; latency is counted from each RPC\u2019s intended send time',
    );
  }
  if ((facts.fallingBehind ?? null) !== null) notes.push(facts.fallingBehind as string);
  const saturation = facts.clientSaturation ?? null;
  if (saturation !== null) {
    notes.push(`${SATURATED_NOTE} (${saturation}): latency and rate include its own delay; lower ${facts.loadFlags ?? '--concurrency'}`);
  }
  return notes;
}

/** Every note for `facts`, in the order they are shown. */
export function diagnosisNotes(facts: DiagnosisFacts): string[] {
  const { skew } = facts;
  const notes = [...backendNotes(facts), ...loadNotes(facts)];
  if (tooFewToJudge(skew) && (facts.streams ?? null) !== null) {
    notes.push(`too few streams for the chi-square test: ${skew.totalRpcs} over ${skew.expectedBackends} backends (about ${MIN_RPCS_PER_BACKEND} per backend: raise --streams)`);
  } else if (tooFewToJudge(skew)) {
    notes.push(
      `too few RPCs to judge the spread: ${skew.totalRpcs} successful over ${skew.expectedBackends} backends ` +
        `(about ${MIN_RPCS_PER_BACKEND} per backend needed: raise --total or --duration)`,
    );
  }
  const polling = pollingNote(facts);
  if (polling !== null) notes.push(polling);
  const perClient = clientReachNote(facts.clients ?? []);
  if (perClient !== null) notes.push(perClient);
  if (facts.cluster !== undefined && facts.cluster !== null) notes.push(...clusterNotes(facts.cluster));
  return notes;
}
