// What a scenario is: the lab it needs, the setups it compares, a script of lab actions at
// times, the one-line answer it gives per setup, and the lesson it teaches.
import type { RunEvent, RunEventKind } from '../../result/run-result.js';
import type { Lab, LabOptions } from '../topology.js';
import type { ProbeReport } from '../../result/report.js';
import type { ResolvedScenarioOptions, ScenarioName, ScenarioSetup, ScenarioSetupSpec } from '../../result/scenario.js';

/** Records a scenario event now, on the setups' clock. */
export type RecordEvent = (kind: Extract<RunEventKind, 'pod-added' | 'pod-removed' | 'pod-slowed'>, backend: string, address: string | undefined, detail: string) => void;

/** One action of the script. */
export interface ScenarioStep {
  /** When it starts, ms after the setups began. */
  readonly atMs: number;
  /** Does it; records its events through `record` as things happen. */
  run(lab: Lab, record: RecordEvent): Promise<void>;
}

/** One setup's run, as the answer sees it. */
export interface SetupRun {
  readonly spec: ScenarioSetupSpec;
  readonly report: ProbeReport;
}

/** What an answer may read besides the setup's run. */
export interface AnswerContext {
  readonly options: ResolvedScenarioOptions;
  /** The scenario's events, sorted by time. */
  readonly events: readonly RunEvent[];
  /** Pod names at the start. */
  readonly initialPods: readonly string[];
}

/** A scenario. */
export interface ScenarioDefinition {
  readonly name: ScenarioName;
  /** One line for `scenario --list`. */
  readonly summary: string;
  readonly defaultDurationMs: number;
  /** Pods its script adds to `replicas` over the run (each on a new address); default none. */
  readonly podsAdded?: (replicas: number) => number;
  /** The lab it needs, beyond replicas. */
  labOptions(options: ResolvedScenarioOptions): Omit<LabOptions, 'replicas'>;
  /** The setups it compares, in order. */
  readonly setups: readonly ScenarioSetup[];
  /** The script, from the options and the pods at the start. */
  script(options: ResolvedScenarioOptions, initialPods: readonly string[]): ScenarioStep[];
  /** The one-line finding for one setup. Pure. */
  answer(run: SetupRun, context: AnswerContext): string;
  /** What this means in a cluster: the lesson, with the fix; a short paragraph. */
  lesson(options: ResolvedScenarioOptions): string;
  /** A stream scenario: the built-in streaming method each setup holds `streams` of open; absent: unary RPCs at the scenario's rate. */
  readonly stream?: { readonly call: string; readonly streams: number; readonly intervalMs: number };
}

