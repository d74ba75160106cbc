// The setups a scenario plays side by side: how each reaches the lab's pods (target, LB policy,
// channel options), with names that scripts read (a JSON contract: keep them stable).
import type { ChannelArgs, LbPolicy, ServiceConfig } from '../../grpc/channel.js';
import { weightedRoundRobinConfig } from '../../lb/weighted-round-robin.js';
import { setupSpec } from '../compare.js';
import type { Lab } from '../topology.js';
import type { Topology } from '../../result/report.js';

/** Every scenario setup name. */
export const SCENARIO_SETUPS = [
  'clusterip',
  'headless-rr',
  'headless-rr-max-age',
  'proxy',
  'headless-least-request',
  'headless-wrr',
] as const;
/** One of {@link SCENARIO_SETUPS}. */
export type ScenarioSetup = (typeof SCENARIO_SETUPS)[number];

/** Min time between DNS re-resolutions the max-age setup's clients use, ms (grpc-js default 30 000). */
export const FIX_MIN_RESOLUTION_MS = 1000;
/** Max connection age of the max-age setup's servers, ms. */
export const FIX_MAX_CONNECTION_AGE_MS = 2000;

/** How one setup reaches the pods. */
export interface ScenarioSetupSpec {
  readonly setup: ScenarioSetup;
  readonly target: string;
  /** The LB policy asked for (by `serviceConfig` when there is one). */
  readonly lbPolicy: LbPolicy | null;
  /** grpc-js channel arguments, as `run --channel-arg` gives them. */
  readonly channelArgs: ChannelArgs;
  /** A full service config, as `run --service-config` gives it; null: `lbPolicy` alone. */
  readonly serviceConfig: ServiceConfig | null;
  readonly topology: Topology;
  /** True when the target is a DNS name (needs one loopback address per pod). */
  readonly usesDns: boolean;
}

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
    serviceConfig,
    topology: 'dns-pods',
    usesDns: true,
  });
  switch (setup) {
    case 'clusterip':
    case 'proxy': {
      const spec = setupSpec(lab, setup);
      return { setup, target: spec.target, lbPolicy: null, channelArgs: {}, serviceConfig: null, topology: spec.topology, usesDns: false };
    }
    case 'headless-rr':
      return headless('round_robin');
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
    case 'headless-least-request':
      return headless('least_request');
    case 'headless-wrr':
      return headless('weighted_round_robin', {}, lab.headlessTarget, { loadBalancingConfig: [SCENARIO_WRR] });
  }
}
