// The scenario runner shared by every scenario: starts every setup's probe at once against the
// same pods at a fixed rate, plays the script on the same clock, and collects the answers.
import { getMaxListeners, setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { analyze } from '../../analysis/analyze.js';
import { builtinCall, startProbe, type ProbeOptions, type ProbeRun } from '../../engine/probe.js';
import { registerXds } from '../../grpc/channel.js';
import type { RunEvent, RunResult } from '../../result/run-result.js';
import type { Lab } from '../topology.js';
import type { RecordEvent, ScenarioDefinition } from './scenario.js';
import { scenarioSetupSpec } from './setups.js';
import { onRunClock, recordXdsPushes } from './xds-pushes.js';
import type { ResolvedScenarioOptions, ScenarioOptions, ScenarioOutcome, ScenarioSetup, ScenarioSetupOutcome, ScenarioSetupSpec } from '../../result/scenario.js';

/** Defaults of {@link ScenarioOptions}. */
export const SCENARIO_DEFAULTS = { replicas: 3, rps: 100, drain: 'graceful', slowMs: 20, intervalMs: 1000, deadlineMs: 1000 } as const;
/** RPCs in flight at once per setup: room for slow and failing RPCs at the fixed rate. */
const CONCURRENCY = 16;

/** Fills in the defaults of `options` for `definition`. */
export function resolveScenarioOptions(definition: ScenarioDefinition, options: ScenarioOptions = {}): ResolvedScenarioOptions {
  return {
    replicas: options.replicas ?? SCENARIO_DEFAULTS.replicas,
    rps: options.rps ?? SCENARIO_DEFAULTS.rps,
    drain: options.drain ?? SCENARIO_DEFAULTS.drain,
    slowMs: options.slowMs ?? SCENARIO_DEFAULTS.slowMs,
    durationMs: options.durationMs ?? definition.defaultDurationMs,
    intervalMs: options.intervalMs ?? SCENARIO_DEFAULTS.intervalMs,
    deadlineMs: options.deadlineMs ?? SCENARIO_DEFAULTS.deadlineMs,
  };
}

/**
 * Plays `definition` on `lab` (started with `definition.labOptions(options)` and
 * `options.replicas` pods). Every setup gets its own channel at `options.rps` for
 * `options.durationMs`; the script's steps start at their times on the same clock.
 * After `signal` aborts, steps not yet started are dropped, running ones finish (each is
 * bounded by its drain or readiness lag), and the outcome holds the partial runs.
 * The caller closes the lab.
 *
 * @param onRuns called once every probe has started, for progress views; `partial` gives the
 *   outcome of what was measured so far (synchronously, for a save just before an exit).
 */
export async function runScenario(
  definition: ScenarioDefinition,
  lab: Lab,
  options: ResolvedScenarioOptions,
  signal?: AbortSignal,
  onRuns?: (runs: readonly { readonly setup: ScenarioSetup; readonly run: ProbeRun }[], partial: () => ScenarioOutcome) => void,
): Promise<ScenarioOutcome> {
  const initialPods = lab.backends.filter((backend) => backend.state === 'serving').map((backend) => backend.name);
  const skipped: { setup: ScenarioSetup; reason: string }[] = [];
  const specs: ScenarioSetupSpec[] = [];
  if (definition.setups.includes('xds')) {
    await lab.startXds();
    // Loaded before the clock starts: it would stall every other setup's start.
    registerXds();
  }
  for (const setup of definition.setups) {
    const spec = scenarioSetupSpec(lab, setup);
    if (spec.usesDns && !lab.loopbackAliases) {
      skipped.push({ setup, reason: 'needs one loopback address per pod (DNS A records carry no port)' });
    } else {
      specs.push(spec);
    }
  }
  // Each probe listens to the signal twice (its run and its connect wait), the runner once more.
  if (signal !== undefined) setMaxListeners(Math.max(getMaxListeners(signal), 3 * specs.length + 4), signal);
  const events: RunEvent[] = [];
  const startedAt = performance.now();
  const pushes = recordXdsPushes(lab, () => Math.round(performance.now() - startedAt));
  const record: RecordEvent = (kind, backend, address, detail) => {
    const atMs = Math.round(performance.now() - startedAt);
    events.push(address === undefined ? { atMs, kind, backend, detail } : { atMs, kind, backend, address, detail });
  };
  const runs = specs.map((spec) => ({
    setup: spec.setup,
    spec,
    run: startProbe(
      {
        target: spec.target,
        lbPolicy: spec.serviceConfig === null ? spec.lbPolicy : null,
        channelArgs: spec.channelArgs,
        reResolveIntervalMs: spec.reResolveIntervalMs,
        serviceConfig: spec.serviceConfig,
        xdsBootstrap: spec.xdsBootstrap ?? null,
        calls: null,
        durationMs: options.durationMs,
        concurrency: CONCURRENCY,
        rps: options.rps,
        deadlineMs: options.deadlineMs,
        intervalMs: options.intervalMs,
        ...streamOptions(definition, spec),
      },
      signal,
    ),
  }));
  const outcomeOf = (results: readonly RunResult[], interrupted: boolean): ScenarioOutcome =>
    assembleOutcome(definition, lab, options, { runs, results, events, pushes: pushes.events, initialPods, skipped, interrupted });
  onRuns?.(runs, () => outcomeOf(runs.map(({ run }) => run.partialResult()), true));

  const timers = new Set<NodeJS.Timeout>();
  const steps: Promise<void>[] = [];
  for (const step of definition.script(options, initialPods)) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (signal?.aborted) return;
      // A failing step (a pod that would not start) is not the measurement's failure: the
      // runs go on and the events show what happened.
      steps.push(step.run(lab, record).catch(() => undefined));
    }, Math.max(0, step.atMs - (performance.now() - startedAt)));
    timers.add(timer);
  }
  const clearTimers = (): void => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
  signal?.addEventListener('abort', clearTimers, { once: true });
  const results = await Promise.all(runs.map(({ run }) => run.done));
  clearTimers();
  signal?.removeEventListener('abort', clearTimers);
  await Promise.all(steps);
  pushes.stop();

  return outcomeOf(results, signal?.aborted ?? false);
}

/** The call and stream load of a stream scenario's setup; nothing for a unary scenario. */
function streamOptions(definition: ScenarioDefinition, spec: ScenarioSetupSpec): Pick<ProbeOptions, 'call' | 'stream'> {
  const stream = definition.stream;
  if (stream === undefined) return {};
  return {
    call: builtinCall(stream.call),
    stream: { streams: stream.streams, messagesPerStream: null, intervalMs: stream.intervalMs, maxStreamAgeMs: spec.maxStreamAgeMs ?? null },
  };
}

/** What {@link assembleOutcome} reads of a played (or partly played) scenario. */
interface PlayedScenario {
  readonly runs: readonly { readonly setup: ScenarioSetup; readonly spec: ScenarioSetupSpec }[];
  /** One per run, in the same order. */
  readonly results: readonly RunResult[];
  readonly events: readonly RunEvent[];
  /** The lab control plane's EDS pushes (xds-pushes.ts), on the scenario's clock. */
  readonly pushes: readonly RunEvent[];
  readonly initialPods: readonly string[];
  readonly skipped: readonly { readonly setup: ScenarioSetup; readonly reason: string }[];
  readonly interrupted: boolean;
}

/** The outcome: every setup's run analyzed and answered, events sorted by time. */
function assembleOutcome(definition: ScenarioDefinition, lab: Lab, options: ResolvedScenarioOptions, played: PlayedScenario): ScenarioOutcome {
  const events = [...played.events, ...played.pushes].sort((left, right) => left.atMs - right.atMs);
  const expectedBackends = lab.endpoints().length;
  const resolvedAddresses = lab.endpoints();
  const context = { options, events, initialPods: played.initialPods };
  const setups = played.runs.map(({ setup, spec }, index): ScenarioSetupOutcome => {
    const result = played.results[index]!;
    const report = analyze(result, {
      expectedBackends,
      // The xds setup's client is told by the lab's control plane: its pushes are its events.
      extraEvents: setup === 'xds' ? onRunClock(played.pushes, result) : [],
      // The pods are an xds target's EDS endpoints, as they are a DNS name's addresses.
      resolvedAddresses: spec.usesDns || (spec.xdsBootstrap ?? null) !== null ? resolvedAddresses : [spec.target],
      topology: spec.topology,
    });
    return { setup, spec, report, answer: definition.answer({ spec, report }, context) };
  });
  return {
    scenario: definition.name,
    summary: definition.summary,
    lesson: definition.lesson(options),
    options,
    events,
    setups,
    skipped: played.skipped,
    interrupted: played.interrupted,
  };
}
