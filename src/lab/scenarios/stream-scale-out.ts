// stream-scale-out: 12 long-lived bidi streams held open over 3 pods, 2 more pods published
// mid-run. A stream is placed once: which setups ever put a stream on the new pods, and how soon.
import type { RunResult } from '../../result/run-result.js';
import { atSeconds } from '../../result/units.js';
import { scaleOutStep } from './scale-out.js';
import type { ScenarioDefinition } from './scenario.js';
import { FIX_MAX_CONNECTION_AGE_MS, FIX_MAX_STREAM_AGE_MS } from './setups.js';

/** Pods added. */
const NEW_PODS = 2;
/** Streams each setup holds open. */
const STREAMS = 12;
/** The aged listener's grace after its GOAWAY: open streams are cut this long after it, ms. */
const GRACE_MS = 1000;

/** When a stream was first open on one of `names` (the interval's start, or the pod's readiness if later), ms; null: never. */
function firstStreamMs(result: RunResult, names: readonly string[], readyMs: number): number | null {
  const timeline = result.streams?.openTimeline;
  const bucket = timeline?.buckets.find((candidate) => names.some((name) => (candidate.open[name] ?? 0) > 0));
  return bucket === undefined ? null : Math.max(bucket.startMs, readyMs);
}

/** The stream-scale-out scenario. */
export const streamScaleOut: ScenarioDefinition = {
  name: 'stream-scale-out',
  summary: `${STREAMS} long-lived streams over 3 pods, ${NEW_PODS} pods added mid-run: which clients ever put a stream on them`,
  defaultDurationMs: 12_000,
  labOptions: () => ({ agedListenerMaxAgeMs: FIX_MAX_CONNECTION_AGE_MS, agedListenerGraceMs: GRACE_MS }),
  setups: ['clusterip', 'headless-rr', 'headless-rr-max-age', 'headless-rr-stream-age', 'proxy'],
  stream: { call: 'helloworld.Greeter/SayHelloBidiStream', streams: STREAMS, intervalMs: 100 },
  script: (options) => [scaleOutStep(options, NEW_PODS)],
  answer({ report }, { events }) {
    const added = events.filter((event) => event.kind === 'pod-added');
    if (added.length === 0) return 'no pod was added (interrupted before the scale-out)';
    const names = added.map((event) => event.backend as string);
    const readyMs = added[0]!.atMs;
    const streams = report.result.streams;
    const held = (streams?.backends ?? []).filter((backend) => names.includes(backend.name));
    const opened = held.reduce((sum, backend) => sum + backend.opened, 0);
    const openAtEnd = held.reduce((sum, backend) => sum + backend.openAtEnd, 0);
    const first = firstStreamMs(report.result, names, readyMs);
    if (first === null || opened === 0) {
      return `the ${added.length} new pods never got a stream (ready at ${atSeconds(readyMs)}): each stream stays on the pod it was opened on`;
    }
    return (
      `first stream on a new pod at ${atSeconds(first)} (ready at ${atSeconds(readyMs)}); the new pods got ${opened} stream${opened === 1 ? '' : 's'} ` +
      `and held ${openAtEnd} of ${streams?.openAtEnd ?? 0} at the end`
    );
  },
  lesson: () =>
    'gRPC balances per call, and a stream is one call: its subchannel is picked once and it stays on that pod until it ' +
    'ends. Pods added by a scale-out get no existing stream from any client, whatever the LB policy, and an L7 proxy ' +
    'balances new streams but pins each one for its life too. Streams move only when they end: bound their lifetime in ' +
    `the client (end and re-open each stream after a max age with jitter, like grpc-java's proposed MaxStreamAge; here ` +
    `${FIX_MAX_STREAM_AGE_MS / 1000} s) over a channel that learns of new pods (here a DNS poll: gRPC's DNS resolver ` +
    'asks again only when a connection drops, so re-opened streams alone land on the pods it knew), or give the ' +
    'servers a max connection age with a grace (gRFC A9): the GOAWAY stops ' +
    'new streams on the old connection and the grace ends the open ones, which the client opens again over connections ' +
    'to what it resolves now.',
};
