// rolling-restart: each pod in turn replaced by a new pod with a new address, gracefully
// (endpoint removed first, then GOAWAY and drain) or abruptly (the process dies while listed).
import { failureSpan, unreachableSinceMs } from '../../analysis/timeline.js';
import { type ScenarioDefinition } from './scenario.js';
import { FIX_MAX_CONNECTION_AGE_MS } from './setups.js';
import { atSeconds, countOf, formatDuration } from '../../result/units.js';

/** A preStop sleep: endpoint removal reaches kube-proxy, DNS and proxies before SIGTERM, ms. */
export const PRE_STOP_MS = 500;
/** terminationGracePeriod for RPCs in flight, ms. */
export const DRAIN_MS = 2000;
/** How long a dead pod stays listed until its readiness probe fails (periodSeconds x failureThreshold, shortened), ms. */
export const READINESS_LAG_MS = 1000;

/** The rolling-restart scenario. */
export const rollingRestart: ScenarioDefinition = {
  name: 'rolling-restart',
  summary: 'every pod replaced in turn by a new pod with a new IP; --drain graceful (preStop, GOAWAY) or abrupt (killed while listed)',
  defaultDurationMs: 14_000,
  // Each pod is replaced by a new one on a new address.
  podsAdded: (replicas) => replicas,
  labOptions: () => ({ agedListenerMaxAgeMs: FIX_MAX_CONNECTION_AGE_MS }),
  setups: ['clusterip', 'headless-rr', 'headless-rr-poll', 'headless-rr-max-age', 'proxy', 'xds'],
  script(options, initialPods) {
    const firstMs = options.durationMs * 0.15;
    const gapMs = (options.durationMs * 0.75 - firstMs) / Math.max(1, initialPods.length);
    return initialPods.map((old, index) => ({
      atMs: Math.round(firstMs + index * gapMs),
      async run(lab, record) {
        // maxSurge 1, maxUnavailable 0: the new pod is ready before the old one goes.
        const pod = await lab.addBackend();
        record('pod-added', pod.name, pod.address, `${pod.name} is ready (replaces ${old})`);
        const address = lab.backends.find((backend) => backend.name === old)?.address;
        if (options.drain === 'graceful') {
          record('pod-removed', old, address, `${old}: out of the endpoints, GOAWAY after a ${PRE_STOP_MS} ms preStop, drained up to ${DRAIN_MS} ms`);
          await lab.removeBackend(old, 'graceful', { preStopMs: PRE_STOP_MS, drainMs: DRAIN_MS });
        } else {
          record('pod-removed', old, address, `${old}: killed while still listed, out of the endpoints ${READINESS_LAG_MS} ms later`);
          await lab.removeBackend(old, 'abrupt', { readinessLagMs: READINESS_LAG_MS });
        }
      },
    }));
  },
  answer({ spec, report }) {
    const { result } = report;
    const span = failureSpan(result);
    let answer: string;
    if (span === null) {
      answer = `no RPC failed (${result.rpcs.ok} ok)`;
    } else {
      const statuses = Object.entries(result.rpcs.byStatus)
        .filter(([status]) => status !== 'OK')
        .map(([status, count]) => `${status} ${count}`)
        .join(', ');
      const when = span.firstMs === span.lastMs ? `at ${atSeconds(span.firstMs)}` : `between ${atSeconds(span.firstMs)} and ${atSeconds(span.lastMs)}`;
      answer = `${countOf(result.rpcs.failed, 'RPC')} failed (${statuses}) ${when}`;
    }
    const unreachableMs = unreachableSinceMs(result);
    if (unreachableMs !== null) {
      const minTime = spec.channelArgs['grpc.dns_min_time_between_resolutions_ms'] ?? 30_000;
      const reResolves = spec.reResolveIntervalMs === null ? `at most every ${Number(minTime) / 1000} s` : `every ${formatDuration(spec.reResolveIntervalMs)}`;
      answer += spec.usesDns
        ? `; ran out of known pods at ${atSeconds(unreachableMs)}: every address it resolved is gone and it re-resolves ${reResolves}`
        : `; no pod reachable since ${atSeconds(unreachableMs)}`;
    }
    return answer;
  },
  lesson: (options) =>
    options.drain === 'graceful'
      ? 'A graceful rollout takes the pod out of the endpoints first (a preStop sleep covers kube-proxy, DNS and proxy ' +
        'propagation), then SIGTERM: the server stops accepting, sends GOAWAY and drains within terminationGracePeriodSeconds. ' +
        'Clients behind a VIP or a proxy reconnect elsewhere and lose nothing. A headless client with default settings still ' +
        'only knows the addresses it resolved at start: as pods are replaced it runs out of them and fails until its next ' +
        're-resolution (at most every 30 s). Max connection age on servers and a lower grpc.dns_min_time_between_resolutions_ms ' +
        'keep its address list fresh. A client fed by xDS is pushed each new pod and each removal as the control plane ' +
        'sees them, and never runs out of pods.'
      : 'Without a drain (no preStop, an app that exits on SIGTERM, a crash), the process dies while endpoints still list it: ' +
        'RPCs in flight fail, and new connections go to a dead address until readiness notices. Add a preStop sleep longer ' +
        'than endpoint propagation, handle SIGTERM with a graceful shutdown (GOAWAY, drain), and let clients retry UNAVAILABLE ' +
        '(a retryPolicy in the service config).',
};
