// scale-out: 3 pods, 2 more published mid-run. Thick clients that resolved DNS once never see
// them; max connection age with a short re-resolution time finds them; a proxy at once.
import { firstRpcMs, lastBuckets, shareOf } from '../../analysis/timeline.js';
import type { ScenarioDefinition, ScenarioStep } from './scenario.js';
import type { ResolvedScenarioOptions } from '../../result/scenario.js';
import { FIX_MAX_CONNECTION_AGE_MS } from './setups.js';
import { atSeconds, percent } from '../../result/units.js';

/** Pods added. */
const NEW_PODS = 2;
/** Intervals at the end over which the new pods' share is reported. */
const TAIL_INTERVALS = 3;

/** The scale-out step scale-out and stream-scale-out share: `count` pods published at a quarter of the run. */
export function scaleOutStep(options: ResolvedScenarioOptions, count: number): ScenarioStep {
  return {
    atMs: Math.round(options.durationMs / 4),
    async run(lab, record) {
      for (let index = 0; index < count; index += 1) {
        const pod = await lab.addBackend();
        record('pod-added', pod.name, pod.address, `${pod.name} is ready: in DNS, the VIP's endpoints, the proxy's backends and the xDS control plane's EDS`);
      }
    },
  };
}

/** The scale-out scenario. */
export const scaleOut: ScenarioDefinition = {
  name: 'scale-out',
  summary: `${NEW_PODS} pods join a 3-pod Deployment mid-run: which clients ever send them an RPC`,
  defaultDurationMs: 12_000,
  podsAdded: () => NEW_PODS,
  labOptions: () => ({ agedListenerMaxAgeMs: FIX_MAX_CONNECTION_AGE_MS }),
  setups: ['clusterip', 'headless-rr', 'headless-rr-poll', 'headless-rr-max-age', 'proxy', 'xds'],
  script: (options) => [scaleOutStep(options, NEW_PODS)],
  answer({ report }, { events }) {
    const added = events.filter((event) => event.kind === 'pod-added');
    const names = added.map((event) => event.backend as string);
    const tail = percent(shareOf(lastBuckets(report.result, TAIL_INTERVALS), names));
    if (added.length === 0) return 'no pod was added (interrupted before the scale-out)';
    // The timeline knows the interval, not the moment: the first RPC came no earlier than the pod.
    const firsts = added.map((event) => {
      const bucketMs = firstRpcMs(report.result, event.backend as string);
      return { name: event.backend as string, first: bucketMs === null ? null : Math.max(bucketMs, event.atMs) };
    });
    const reached = firsts.filter((pod) => pod.first !== null);
    if (reached.length === 0) {
      return `the ${added.length} new pods never got an RPC (ready at ${atSeconds(added[0]!.atMs)}); their share at the end: ${tail}`;
    }
    const times = firsts.map((pod) => (pod.first === null ? `${pod.name} never` : `${pod.name} at ${atSeconds(pod.first)}`)).join(', ');
    return `new pods' first RPC: ${times} (ready at ${atSeconds(added[0]!.atMs)}); their share at the end: ${tail}`;
  },
  lesson: () =>
    'A gRPC channel resolves DNS when it starts and again only when a connection drops (and then at most every ' +
    '30 s, grpc.dns_min_time_between_resolutions_ms). Behind a ClusterIP it holds one TCP connection to one pod; with a ' +
    'headless Service and round_robin it holds one per pod it resolved. Either way, pods added later get nothing from ' +
    'clients that are already connected, for as long as their connections live. The fix: a max connection age on the ' +
    'servers (grpc.max_connection_age_ms, e.g. 30 s to a few minutes) so clients reconnect and re-resolve, and a lower ' +
    're-resolution minimum on clients; a thick client that polls DNS (grpc-go\'s old NewDNSResolverWithFreq, ' +
    '--re-resolve-interval) finds new pods within one interval, for a DNS query per interval per client; a registry that ' +
    'pushes endpoints (xDS: Istio proxyless gRPC, Traffic Director, a control plane of your own) tells every client within ' +
    'about a second, with no DNS and no reconnection; or an L7 proxy or service mesh that balances per RPC and sees new ' +
    'endpoints at once.',
};
