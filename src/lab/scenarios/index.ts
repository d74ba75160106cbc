// Every scenario, by name.
import { maxAge } from './max-age.js';
import { rollingRestart } from './rolling-restart.js';
import type { ScenarioDefinition } from './scenario.js';
import { scaleOut } from './scale-out.js';
import { slowPod } from './slow-pod.js';
import { streamScaleOut } from './stream-scale-out.js';
import type { ScenarioName } from '../../result/scenario.js';

/** The scenarios, in `--list` order. */
export const SCENARIOS: Readonly<Record<ScenarioName, ScenarioDefinition>> = {
  'scale-out': scaleOut,
  'rolling-restart': rollingRestart,
  'slow-pod': slowPod,
  'max-age': maxAge,
  'stream-scale-out': streamScaleOut,
};
