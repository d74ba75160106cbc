// The lab comparison: probes each setup (ClusterIP VIP, headless DNS with and without
// round_robin, L7 proxy, static list) with a fresh channel and the same load, and analyses each.
import { analyze } from '../analysis/analyze.js';
import { startProbe, type ProbeOptions, type ProbeRun } from '../engine/probe.js';
import type { RunResult } from '../result/run-result.js';
import type { Lab } from './topology.js';
import type { LabComparison, Setup, SetupSpec } from '../result/lab.js';

/** How often the lab's `headless-rr-poll` channels re-resolve, ms, unless `--re-resolve-interval` says otherwise. */
export const LAB_RE_RESOLVE_INTERVAL_MS = 2000;

/**
 * The target, policy and topology of `setup` in `lab`.
 * @param reResolveIntervalMs `headless-rr-poll`: the polling interval; default {@link LAB_RE_RESOLVE_INTERVAL_MS}.
 */
export function setupSpec(lab: Lab, setup: Setup, reResolveIntervalMs: number | null = null): SetupSpec {
  const pods = lab.endpoints();
  const podIps = `${pods.length} pod IPs`;
  switch (setup) {
    case 'clusterip':
      return {
        setup,
        target: lab.vip.address,
        lbPolicy: null,
        reResolveIntervalMs: null,
        topology: 'clusterip-vip',
        connectsTo: `VIP ${lab.vip.address}`,
        resolvedAddresses: [lab.vip.address],
      };
    case 'headless':
    case 'headless-rr':
    case 'headless-rr-poll':
      return {
        setup,
        target: lab.headlessTarget,
        lbPolicy: setup === 'headless' ? null : 'round_robin',
        reResolveIntervalMs: setup === 'headless-rr-poll' ? (reResolveIntervalMs ?? LAB_RE_RESOLVE_INTERVAL_MS) : null,
        topology: 'dns-pods',
        connectsTo: podIps,
        resolvedAddresses: pods,
      };
    case 'proxy':
      return {
        setup,
        target: lab.proxy.address,
        lbPolicy: null,
        reResolveIntervalMs: null,
        topology: 'proxy',
        connectsTo: `proxy ${lab.proxy.address}`,
        resolvedAddresses: [lab.proxy.address],
      };
    case 'proxy-tier': {
      const tier = lab.proxyTier;
      if (tier === null) throw new Error('the proxy-tier setup needs lab.startProxyTier() first');
      return {
        setup,
        target: tier.address,
        lbPolicy: null,
        reResolveIntervalMs: null,
        topology: 'proxy',
        connectsTo: `VIP ${tier.address} -> ${tier.proxies.length} proxies`,
        resolvedAddresses: [tier.address],
      };
    }
    case 'xds':
    case 'xds-weighted': {
      const controlPlane = setup === 'xds' ? lab.xds : lab.xdsWeighted;
      if (controlPlane === null) throw new Error(`the ${setup} setup needs lab.${setup === 'xds' ? 'startXds' : 'startXdsWeighted'}() first`);
      const weights = setup === 'xds' ? '' : `, weights ${pods.map((_, index) => lab.xdsWeights[index] ?? 1).join(':')}`;
      return {
        setup,
        target: `xds:///${controlPlane.name}`,
        lbPolicy: null,
        reResolveIntervalMs: null,
        xdsBootstrap: controlPlane.bootstrap(),
        topology: 'static-pods',
        connectsTo: `${podIps} (EDS from ${controlPlane.address}${weights})`,
        resolvedAddresses: pods,
      };
    }
    case 'static':
      return {
        setup,
        target: lab.staticTarget,
        lbPolicy: 'round_robin',
        reResolveIntervalMs: null,
        topology: 'static-pods',
        connectsTo: podIps,
        resolvedAddresses: pods,
      };
  }
}

/**
 * The load every setup gets: the run flags without target and policy; `reResolveIntervalMs`
 * is the `headless-rr-poll` setup's interval only.
 */
export type LabLoad = Omit<ProbeOptions, 'target' | 'lbPolicy' | 'authority' | 'tls'>;

/**
 * Probes `setups` one after another, each with fresh channels and the same load.
 *
 * @param onRun called with each setup's run as it starts, for progress views.
 * @returns the comparison so far; after `signal` aborts, the interrupted setup is included
 *   with its partial result and the rest are skipped.
 */
export async function compareSetups(
  lab: Lab,
  setups: readonly Setup[],
  load: LabLoad,
  signal?: AbortSignal,
  onRun?: (setup: Setup, run: ProbeRun) => void,
): Promise<LabComparison> {
  const runs: SetupRun[] = [];
  const skipped: { setup: Setup; reason: string }[] = [];
  if (setups.includes('proxy-tier')) await lab.startProxyTier();
  if (setups.includes('xds')) await lab.startXds();
  // Default weights unless the caller started it with its own (--xds-weights).
  if (setups.includes('xds-weighted')) await lab.startXdsWeighted();
  for (const setup of setups) {
    if (signal?.aborted) {
      skipped.push({ setup, reason: 'interrupted' });
      continue;
    }
    if (!lab.loopbackAliases && setup.startsWith('headless')) {
      skipped.push({ setup, reason: 'needs one loopback address per pod (DNS A records carry no port)' });
      continue;
    }
    const spec = setupSpec(lab, setup, load.reResolveIntervalMs ?? null);
    const run = startProbe({ ...load, target: spec.target, lbPolicy: spec.lbPolicy, reResolveIntervalMs: spec.reResolveIntervalMs, xdsBootstrap: spec.xdsBootstrap ?? null }, signal);
    onRun?.(setup, run);
    runs.push({ setup, spec, result: await run.done });
  }
  return comparisonOf(lab, runs, skipped, signal?.aborted ?? false);
}

/** One setup's run result, finished or partial. */
export interface SetupRun {
  readonly setup: Setup;
  readonly result: RunResult;
  /** The spec the run used; default: computed now from the lab. */
  readonly spec?: SetupSpec;
}

/**
 * The comparison of the runs so far: what {@link compareSetups} returns, and what a second
 * Ctrl-C saves mid-way from the partial results. Pure apart from reading the lab's state.
 */
export function comparisonOf(
  lab: Lab,
  runs: readonly SetupRun[],
  skipped: readonly { readonly setup: Setup; readonly reason: string }[],
  interrupted: boolean,
): LabComparison {
  const replicas = lab.endpoints().length;
  return {
    replicas,
    backends: lab.backends.filter((backend) => backend.state === 'serving').map(({ name, address }) => ({ name, address })),
    loopbackAliases: lab.loopbackAliases,
    setups: runs.map(({ setup, result, spec: used }) => {
      const spec = used ?? setupSpec(lab, setup);
      return {
        spec,
        report: analyze(result, {
          expectedBackends: null,
          labReplicas: replicas,
          staticTarget: setup === 'static',
          resolvedAddresses: spec.resolvedAddresses,
          topology: spec.topology,
          expectedProxies: setup === 'proxy-tier' ? (lab.proxyTier?.proxies.length ?? null) : null,
        }),
      };
    }),
    skipped,
    interrupted,
  };
}
