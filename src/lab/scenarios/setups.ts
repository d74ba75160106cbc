// The setups a scenario plays side by side: how each reaches the lab's pods (target, LB policy,
// channel options), with names that scripts read (a JSON contract: keep them stable).
import { weightedRoundRobinConfig } from '../../lb/weighted-round-robin.js';
import { LAB_RE_RESOLVE_INTERVAL_MS, setupSpec } from '../compare.js';
import type { Lab } from '../topology.js';
import type { ChannelArgs, LbPolicy, ServiceConfig } from '../../result/run-result.js';
import type { ScenarioSetup, ScenarioSetupSpec } from '../../result/scenario.js';

/** Min time between DNS re-resolutions the max-age setup's clients use, ms (grpc-js default 30 000). */
export const FIX_MIN_RESOLUTION_MS = 1000;
/** Max connection age of the max-age setup's servers, ms. */
export const FIX_MAX_CONNECTION_AGE_MS = 2000;
/** The client's max stream age of the headless-rr-stream-age setup, ms (`run --max-stream-age`). */
export const FIX_MAX_STREAM_AGE_MS = 2000;

/**
 * weighted_round_robin as the slow-pod scenario asks for it: A58's algorithm with a 1 s
 * blackout (default 10 s) and reports every 500 ms, so it acts within a short scenario.
 */
const SCENARIO_WRR = weightedRoundRobinConfig({ blackoutPeriodMs: 1000, weightUpdatePeriodMs: 500, enableOobLoadReport: true, oobReportingPeriodMs: 500 });

/** The spec of `setup` in `lab`. */
export function scenarioSetupSpec(lab: Lab, setup: ScenarioSetup): ScenarioSetupSpec {
  const headless = (lbPolicy: LbPolicy, channelArgs: ChannelArgs = {}, target = lab.headlessTarget, serviceConfig: ServiceConfig | null = null): ScenarioSetupSpec => ({
    setup,
    target,
    lbPolicy,
    channelArgs,
    reResolveIntervalMs: null,
    serviceConfig,
    topology: 'dns-pods',
    usesDns: true,
  });
  switch (setup) {
    case 'clusterip':
    case 'proxy': {
      const spec = setupSpec(lab, setup);
      return { setup, target: spec.target, lbPolicy: null, channelArgs: {}, reResolveIntervalMs: null, serviceConfig: null, topology: spec.topology, usesDns: false };
    }
    case 'headless-rr':
      return headless('round_robin');
    case 'headless-rr-poll':
      // The thick client: round_robin over a DNS answer asked for again every 2 s.
      return { ...headless('round_robin'), reResolveIntervalMs: LAB_RE_RESOLVE_INTERVAL_MS };
    case 'headless-rr-max-age':
      // The fix on both sides: servers with max connection age (the pods' aged listener, or
      // every pod when the lab itself has max connection age) and clients that may re-resolve
      // after 1 s. gRPC re-resolves only when a connection drops, at most every
      // grpc.dns_min_time_between_resolutions_ms (grpc-js resolver-dns.ts).
      return headless(
        'round_robin',
        { 'grpc.dns_min_time_between_resolutions_ms': FIX_MIN_RESOLUTION_MS },
        lab.agedPort === 0 ? lab.headlessTarget : lab.agedHeadlessTarget,
      );
    case 'headless-rr-stream-age':
      // The client-side fix for streams: each stream is ended and opened again after a max age,
      // over a channel that sees new pods (a 2 s DNS poll): gRPC's own DNS resolver asks again only
      // when a connection drops, and re-opened streams alone would land on the pods it knew.
      return { ...headless('round_robin'), reResolveIntervalMs: LAB_RE_RESOLVE_INTERVAL_MS, maxStreamAgeMs: FIX_MAX_STREAM_AGE_MS };
    case 'headless-least-request':
      return headless('least_request');
    case 'headless-wrr':
      return headless('weighted_round_robin', {}, lab.headlessTarget, { loadBalancingConfig: [SCENARIO_WRR] });
    case 'xds': {
      // Pushed endpoints: the lab's control plane sends a new EDS version as each pod is ready or goes.
      const spec = setupSpec(lab, setup);
      return { setup, target: spec.target, lbPolicy: null, channelArgs: {}, reResolveIntervalMs: null, serviceConfig: null, topology: spec.topology, usesDns: false, xdsBootstrap: spec.xdsBootstrap ?? null };
    }
  }
}
