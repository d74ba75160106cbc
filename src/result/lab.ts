// The lab's comparison as reporters read it: the setups, how each reaches the pods, and each
// one's report. A JSON contract (setup names are read by scripts): keep names stable.
import type { LbPolicy } from './run-result.js';
import type { ProbeReport, Topology } from './report.js';

/** The setups, in the order they are probed and printed. */
export const SETUPS = ['clusterip', 'headless', 'headless-rr', 'headless-rr-poll', 'proxy', 'proxy-tier', 'static', 'xds', 'xds-weighted'] as const;

/** The setups the lab compares when `--setups` names none: the others run when named. */
export const DEFAULT_SETUPS = ['clusterip', 'headless', 'headless-rr', 'proxy', 'static'] as const satisfies readonly (typeof SETUPS)[number][];

/** One of {@link SETUPS}. */
export type Setup = (typeof SETUPS)[number];

/** How one setup is reached. */
export interface SetupSpec {
  readonly setup: Setup;
  readonly target: string;
  readonly lbPolicy: LbPolicy | null;
  /** The channel re-resolves its DNS name this often, ms (the polling resolver); null: it does not poll. */
  readonly reResolveIntervalMs: number | null;
  /** `xds`: the bootstrap of the lab's control plane, JSON text; absent otherwise. */
  readonly xdsBootstrap?: string | null;
  readonly topology: Topology;
  /** What the channel connects to, for people: `VIP 127.0.20.1:PORT`, `3 pod IPs`, `proxy 127.0.30.1:PORT`. */
  readonly connectsTo: string;
  /** The addresses the target resolves to. */
  readonly resolvedAddresses: readonly string[];
}

/** One probed setup. */
export interface SetupOutcome {
  readonly spec: SetupSpec;
  readonly report: ProbeReport;
}

/** The lab's comparison. */
export interface LabComparison {
  readonly replicas: number;
  readonly backends: readonly { readonly name: string; readonly address: string }[];
  readonly loopbackAliases: boolean;
  readonly setups: readonly SetupOutcome[];
  /** Setups left out, with why (e.g. headless without loopback aliases). */
  readonly skipped: readonly { readonly setup: Setup; readonly reason: string }[];
  readonly interrupted: boolean;
}
