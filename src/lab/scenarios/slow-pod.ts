// slow-pod: one pod gets slower mid-run. round_robin keeps feeding it its share; least_request
// (outstanding RPCs) and weighted_round_robin (ORCA utilization) move away; the proxy is round robin.
import { bucketsBetween, shareOf } from '../../analysis/timeline.js';
import { type ScenarioDefinition } from './scenario.js';
import { atSeconds, percent } from '../../result/units.js';
import { formatMs } from '../../result/units.js';

/** The slow-pod scenario. */
export const slowPod: ScenarioDefinition = {
  name: 'slow-pod',
  summary: 'one pod gets +20 ms (--slow-ms) mid-run: round_robin vs least_request vs weighted_round_robin (ORCA) vs the proxy',
  defaultDurationMs: 12_000,
  labOptions: () => ({ orcaUtilization: 'derived' }),
  setups: ['headless-rr', 'headless-least-request', 'headless-wrr', 'proxy'],
  script: (options, initialPods) => [
    {
      atMs: Math.round(options.durationMs / 4),
      async run(lab, record) {
        const name = initialPods[0] as string;
        lab.setDelay(name, options.slowMs);
        record('pod-slowed', name, lab.backends.find((backend) => backend.name === name)?.address, `${name} answers ${options.slowMs} ms slower from now on`);
      },
    },
  ],
  answer({ report }, { events, options }) {
    const slowed = events.find((event) => event.kind === 'pod-slowed');
    if (slowed === undefined) return 'no pod was slowed (interrupted first)';
    const name = slowed.backend as string;
    const before = shareOf(bucketsBetween(report.result, 0, slowed.atMs - options.intervalMs), [name]);
    const after = shareOf(bucketsBetween(report.result, slowed.atMs + options.intervalMs), [name]);
    const backend = report.result.backends.find((candidate) => candidate.name === name);
    const p99 = backend === undefined ? 'n/a' : `${formatMs(backend.latencyMs.p99)} ms`;
    return (
      `slowed pod's share ${percent(before)} before, ${percent(after)} after ${atSeconds(slowed.atMs)}; ` +
      `its p99 ${p99}, all RPCs p90 ${formatMs(report.result.latencyMs.p90)} ms, p99 ${formatMs(report.result.latencyMs.p99)} ms`
    );
  },
  lesson: () =>
    'round_robin and a round-robin proxy give a slow pod the same share as the others, so its latency becomes your tail ' +
    'latency. Latency-aware balancing moves traffic away: least_request (power of two choices on outstanding RPCs, Envoy ' +
    "LEAST_REQUEST, Linkerd's EWMA/P2C) needs nothing from the server; weighted_round_robin (gRPC proposal A58) weighs " +
    'pods by the utilization they report in ORCA (A51/A64), so the servers must report it. In a mesh, pick the ' +
    "proxy's least-request policy; with proxyless gRPC, least_request or weighted_round_robin with ORCA on the servers.",
};
