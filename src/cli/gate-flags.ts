// The CI gate flags, declared once for every command that judges a run (`run`, `merge`).
import { Option, type Command } from 'commander';
import type { GateLimits } from '../analysis/gates.js';
import * as parse from './parse.js';

/** The gate flags as commander parses them. */
export interface GateFlags {
  maxSkew?: number;
  minBackends?: number;
  expect?: 'balanced' | 'pinned';
  maxErrorRate?: number;
}

/** Adds --max-skew, --min-backends, --expect and --max-error-rate to `command`. */
export function addGateFlags(command: Command): Command {
  return command
    .option('--max-skew <x>', 'gate: largest share / fair share must be <= x (over the expected backends; x >= 1)', parse.skewLimit)
    .option('--min-backends <n>', 'gate: at least n backends must answer', parse.integerAtLeast(1))
    .addOption(new Option('--expect <verdict>', 'gate: the verdict must be this').choices(['balanced', 'pinned']))
    .option('--max-error-rate <r>', 'gate: failed/total must be <= r (0..1); also the UNSTABLE threshold', parse.fraction);
}

/** The limits the flags set. */
export function gateLimits(flags: GateFlags): GateLimits {
  return { maxSkew: flags.maxSkew, minBackends: flags.minBackends, expect: flags.expect, maxErrorRate: flags.maxErrorRate };
}
