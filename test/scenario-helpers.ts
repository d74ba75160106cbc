// Plays a scenario in-process on a fresh lab, as the CLI does, with test timings.
import './resolver-env.js';
import { SCENARIOS } from '../src/lab/scenarios/index.js';
import { resolveScenarioOptions, runScenario } from '../src/lab/scenarios/runner.js';
import { Lab, type LabOptions } from '../src/lab/topology.js';
import type { RunResult } from '../src/result/run-result.js';
import type { ScenarioName, ScenarioOptions, ScenarioOutcome } from '../src/result/scenario.js';

/**
 * Short runs for tests: 8 s, half-second intervals, 30 RPC/s per setup (light on a shared
 * machine), and a 5 s deadline so that a busy machine's stalls are not counted as the lab's failures.
 */
export const TEST_TIMING: ScenarioOptions = { durationMs: 8000, intervalMs: 500, rps: 30, deadlineMs: 5000 };

/** `UNAVAILABLE 3, DEADLINE_EXCEEDED 1`: the failures of a run, for assertion messages. */
export function failuresOf(result: RunResult): string {
  return result.errors.map((error) => `${error.status} ${error.count} (${error.details})`).join('; ');
}

/** Plays `name` with `options` over {@link TEST_TIMING}; `labOptions` adds to the scenario's lab. */
export async function play(name: ScenarioName, options: ScenarioOptions = {}, labOptions: Partial<LabOptions> = {}): Promise<ScenarioOutcome> {
  const definition = SCENARIOS[name];
  const resolved = resolveScenarioOptions(definition, { ...TEST_TIMING, ...options });
  const lab = await Lab.start({ replicas: resolved.replicas, ...definition.labOptions(resolved), ...labOptions });
  try {
    return await runScenario(definition, lab, resolved);
  } finally {
    await lab.close();
  }
}

/** The run of `setup`; throws when it is missing. */
export function runOf(outcome: ScenarioOutcome, setup: string): RunResult {
  const found = outcome.setups.find((candidate) => candidate.setup === setup);
  if (found === undefined) throw new Error(`no setup ${setup} in ${outcome.setups.map((candidate) => candidate.setup).join(', ')}`);
  return found.report.result;
}

/** The answer of `setup`. */
export function answerOf(outcome: ScenarioOutcome, setup: string): string {
  return outcome.setups.find((candidate) => candidate.setup === setup)?.answer ?? '';
}

/** Successful RPCs of `backends` in `result`. */
export function rpcsOf(result: RunResult, backends: readonly string[]): number {
  return result.backends.filter((backend) => backends.includes(backend.name)).reduce((sum, backend) => sum + backend.rpcs, 0);
}
