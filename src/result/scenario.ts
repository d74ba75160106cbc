// A played scenario as reporters read it: its options, setups, pod events and answers. A JSON
// contract (scenario and setup names are read by scripts): keep names stable.
import type { ChannelArgs, LbPolicy, RunEvent, ServiceConfig } from './run-result.js';
import type { ProbeReport, Topology } from './report.js';

/** Scenario names, as `grpclb-probe scenario NAME` takes them (a JSON contract: keep stable). */
export const SCENARIO_NAMES = ['scale-out', 'rolling-restart', 'slow-pod', 'max-age', 'stream-scale-out'] as const;

/** One of {@link SCENARIO_NAMES}. */
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** How a pod leaves in a rolling restart. */
export type DrainMode = 'graceful' | 'abrupt';

/** What the user (or a test) chose; every field has a default in the runner. */
export interface ScenarioOptions {
  /** Pods at the start; default: the scenario's (3). */
  readonly replicas?: number;
  /** Fixed rate per setup, RPC/s; default 100. */
  readonly rps?: number;
  /** rolling-restart: how pods go; default graceful. */
  readonly drain?: DrainMode;
  /** slow-pod: latency added to the slowed pod, ms; default 20. */
  readonly slowMs?: number;
  /** Length of the measured run, ms; default: the scenario's. The script's times scale with it. */
  readonly durationMs?: number;
  /** Timeline interval, ms; default 1000. */
  readonly intervalMs?: number;
  /** Per-RPC deadline, ms; default 1000. */
  readonly deadlineMs?: number;
}

/** {@link ScenarioOptions} with every default filled in. */
export type ResolvedScenarioOptions = Required<ScenarioOptions>;

/** Every scenario setup name. */
export const SCENARIO_SETUPS = [
  'clusterip',
  'headless-rr',
  'headless-rr-poll',
  'headless-rr-max-age',
  'headless-rr-stream-age',
  'proxy',
  'headless-least-request',
  'headless-wrr',
  'xds',
] as const;

/** One of {@link SCENARIO_SETUPS}. */
export type ScenarioSetup = (typeof SCENARIO_SETUPS)[number];

/** How one setup reaches the pods. */
export interface ScenarioSetupSpec {
  readonly setup: ScenarioSetup;
  readonly target: string;
  /** The LB policy asked for (by `serviceConfig` when there is one). */
  readonly lbPolicy: LbPolicy | null;
  /** grpc-js channel arguments, as `run --channel-arg` gives them. */
  readonly channelArgs: ChannelArgs;
  /** The channel re-resolves its DNS name this often, ms (`run --re-resolve-interval`); null: it does not poll. */
  readonly reResolveIntervalMs: number | null;
  /** A full service config, as `run --service-config` gives it; null: `lbPolicy` alone. */
  readonly serviceConfig: ServiceConfig | null;
  readonly topology: Topology;
  /** True when the target is a DNS name (needs one loopback address per pod). */
  readonly usesDns: boolean;
  /** A stream scenario: the client ends each stream after this age and opens another (`run --max-stream-age`), ms; null or absent: never. */
  readonly maxStreamAgeMs?: number | null;
  /** `xds`: the bootstrap of the lab's control plane, JSON text (the pods are its EDS endpoints); null or absent otherwise. */
  readonly xdsBootstrap?: string | null;
}

/** One setup's outcome. */
export interface ScenarioSetupOutcome {
  readonly setup: ScenarioSetup;
  readonly spec: ScenarioSetupSpec;
  readonly report: ProbeReport;
  /** The scenario's one-line finding for this setup. */
  readonly answer: string;
}

/** A played scenario: the model every scenario reporter renders. */
export interface ScenarioOutcome {
  readonly scenario: ScenarioName;
  readonly summary: string;
  readonly lesson: string;
  readonly options: ResolvedScenarioOptions;
  /** Pod events on the setups' clock, sorted by `atMs`. */
  readonly events: readonly RunEvent[];
  readonly setups: readonly ScenarioSetupOutcome[];
  /** Setups left out, with why (DNS setups without one loopback address per pod). */
  readonly skipped: readonly { readonly setup: ScenarioSetup; readonly reason: string }[];
  readonly interrupted: boolean;
}
