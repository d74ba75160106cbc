// The load-shape flags of `run`, as ghz names them: --load-schedule and --concurrency-schedule
// with their start, step, end, step duration and max duration; their checks across fields (in one
// place) and the ramps they give the engine.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { autoConcurrencyCap } from '../engine/pacing/worker-pool.js';
import { LINE_STEP_DURATION_MS, rampFloor, rampPeak, type RampSpec } from '../result/schedule.js';
import { MAX_CONCURRENCY } from './client-limits.js';
import { UsageError } from './errors.js';
import * as parse from './parse.js';

/** `const`: the rate of --rps (or --concurrency); `step` and `line` ramp (ghz's schedule kinds). */
export const SCHEDULE_KINDS = ['const', 'step', 'line'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** The schedule flags as commander parses them. */
export interface ScheduleFlags {
  loadSchedule?: ScheduleKind;
  loadStart?: number;
  loadStep?: number;
  loadEnd?: number;
  loadStepDuration?: number;
  loadMaxDuration?: number;
  concurrencySchedule?: ScheduleKind;
  concurrencyStart?: number;
  concurrencyStep?: number;
  concurrencyEnd?: number;
  concurrencyStepDuration?: number;
  concurrencyMaxDuration?: number;
}

/** The other flags the checks read. */
export interface LoadFlags extends ScheduleFlags {
  rps?: number;
  concurrency?: number;
  channels: number;
  deadlineMs: number;
}

/** A step: a non-zero number (negative ramps down), written `--load-step=-50` or `--load-step -50`. */
function signedStep(integer: boolean): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || parsed === 0 || (integer && !Number.isInteger(parsed))) {
      throw new InvalidArgumentError(`expected a non-zero ${integer ? 'whole number' : 'number'} (negative ramps down)`);
    }
    return parsed;
  };
}

/** Registers the schedule flags on `command`. */
export function addScheduleFlags(command: Command): Command {
  return command
    .addOption(new Option('--load-schedule <kind>', 'rate schedule (ghz): const (the rate of --rps), step, line').choices(SCHEDULE_KINDS))
    .option('--load-start <rate>', 'step/line: the first rate, RPC/s', parse.rate)
    .option('--load-step <rate>', 'step/line: RPC/s added each step (negative ramps down)', signedStep(false))
    .option('--load-end <rate>', 'step/line: the rate to stop at and hold, RPC/s', parse.rate)
    .option('--load-step-duration <duration>', 'step: time between steps (line: 1s)', parse.duration)
    .option('--load-max-duration <duration>', 'step/line: ramp this long, then hold the rate reached', parse.duration)
    .addOption(new Option('--concurrency-schedule <kind>', 'closed-loop concurrency schedule (ghz): const (--concurrency), step, line').choices(SCHEDULE_KINDS))
    .option('--concurrency-start <n>', 'step/line: RPCs in flight first', parse.integerAtLeast(1))
    .option('--concurrency-step <n>', 'step/line: RPCs in flight added each step (negative ramps down)', signedStep(true))
    .option('--concurrency-end <n>', 'step/line: RPCs in flight to stop at and hold', parse.integerAtLeast(1))
    .option('--concurrency-step-duration <duration>', 'step: time between steps (line: 1s)', parse.duration)
    .option('--concurrency-max-duration <duration>', 'step/line: ramp this long, then hold', parse.duration);
}

/** The flags of one schedule, by their names. */
interface RampFlags {
  readonly prefix: 'load' | 'concurrency';
  readonly kind: ScheduleKind | undefined;
  readonly start: number | undefined;
  readonly step: number | undefined;
  readonly end: number | undefined;
  readonly stepDuration: number | undefined;
  readonly maxDuration: number | undefined;
}

function loadRampFlags(flags: ScheduleFlags): RampFlags {
  const { loadSchedule: kind, loadStart: start, loadStep: step, loadEnd: end, loadStepDuration: stepDuration, loadMaxDuration: maxDuration } = flags;
  return { prefix: 'load', kind, start, step, end, stepDuration, maxDuration };
}

function concurrencyRampFlags(flags: ScheduleFlags): RampFlags {
  const { concurrencySchedule: kind, concurrencyStart: start, concurrencyStep: step, concurrencyEnd: end } = flags;
  return { prefix: 'concurrency', kind, start, step, end, stepDuration: flags.concurrencyStepDuration, maxDuration: flags.concurrencyMaxDuration };
}

/** The ramp flags given, by flag name. */
function givenRampFlags(ramp: RampFlags): string[] {
  const names: [string, unknown][] = [
    ['start', ramp.start],
    ['step', ramp.step],
    ['end', ramp.end],
    ['step-duration', ramp.stepDuration],
    ['max-duration', ramp.maxDuration],
  ];
  return names.filter(([, value]) => value !== undefined).map(([name]) => `--${ramp.prefix}-${name}`);
}

/**
 * The ramp of one schedule's flags, checked: null for none or `const`.
 * @throws UsageError naming the flag at fault.
 */
function rampOf(ramp: RampFlags): RampSpec | null {
  const flag = `--${ramp.prefix}-schedule`;
  const given = givenRampFlags(ramp);
  if (ramp.kind === undefined || ramp.kind === 'const') {
    if (given.length > 0) throw new UsageError(`${given.join(', ')} ${given.length === 1 ? 'needs' : 'need'} ${flag} step or line`);
    return null;
  }
  if (ramp.start === undefined) throw new UsageError(`${flag} ${ramp.kind} needs --${ramp.prefix}-start`);
  if (ramp.step === undefined) throw new UsageError(`${flag} ${ramp.kind} needs --${ramp.prefix}-step`);
  if (ramp.kind === 'line' && ramp.stepDuration !== undefined) {
    throw new UsageError(`--${ramp.prefix}-step-duration does not apply to ${flag} line (a step every 1s): use ${flag} step`);
  }
  if (ramp.kind === 'step' && ramp.stepDuration === undefined) throw new UsageError(`${flag} step needs --${ramp.prefix}-step-duration`);
  if (ramp.end !== undefined && (ramp.end - ramp.start) * ramp.step < 0) {
    throw new UsageError(`--${ramp.prefix}-end ${ramp.end} is never reached from --${ramp.prefix}-start ${ramp.start} by --${ramp.prefix}-step ${ramp.step}: flip the step's sign`);
  }
  const spec: RampSpec = {
    kind: ramp.kind,
    start: ramp.start,
    step: ramp.step,
    end: ramp.end ?? null,
    stepDurationMs: ramp.kind === 'line' ? LINE_STEP_DURATION_MS : (ramp.stepDuration as number),
    maxDurationMs: ramp.maxDuration ?? null,
  };
  if (!(rampFloor(spec) > 0)) {
    throw new UsageError(`--${ramp.prefix}-step ${ramp.step} ramps down to 0 or below: give --${ramp.prefix}-end above 0, or a --${ramp.prefix}-max-duration that stops it in time`);
  }
  return spec;
}

/**
 * Cross-field checks of the schedule flags, in one place.
 * @throws UsageError naming the flag at fault: a schedule without the values it needs, a
 *   schedule with --rps or --concurrency, both schedules at once, an end the step never
 *   reaches, a ramp that reaches 0, or values past the rate and concurrency limits.
 */
export function validateScheduleFlags(flags: LoadFlags): void {
  const load = rampOf(loadRampFlags(flags));
  const concurrency = rampOf(concurrencyRampFlags(flags));
  if (flags.loadSchedule !== undefined && flags.concurrencySchedule !== undefined) {
    throw new UsageError('--load-schedule and --concurrency-schedule exclude each other: pace by rate or by RPCs in flight');
  }
  if (flags.loadSchedule === 'const' && flags.rps === undefined) throw new UsageError('--load-schedule const needs --rps (the constant rate)');
  if (load !== null && flags.rps !== undefined) {
    throw new UsageError(`--load-schedule ${load.kind} and --rps exclude each other: the schedule's rate starts at --load-start`);
  }
  if (load !== null && 1000 / rampFloor(load) > parse.MAX_TIMER_MS) {
    throw new UsageError(`--load-step ${load.step} ramps below ${(1000 / parse.MAX_TIMER_MS).toPrecision(3)} RPC/s, whose interval between RPCs is past Node's timer limit`);
  }
  if (flags.concurrencySchedule === 'const' && flags.rps !== undefined) throw new UsageError('--concurrency-schedule is for the closed loop: drop --rps');
  if (concurrency === null) return;
  if (flags.rps !== undefined) throw new UsageError(`--concurrency-schedule ${concurrency.kind} is for the closed loop: drop --rps`);
  if (flags.concurrency !== undefined) {
    throw new UsageError(`--concurrency-schedule ${concurrency.kind} and --concurrency exclude each other: the schedule starts at --concurrency-start`);
  }
  const peak = rampPeak(concurrency);
  if (!Number.isFinite(peak)) {
    throw new UsageError('--concurrency-schedule ramps up without an end: give --concurrency-end or --concurrency-max-duration (its workers are made before the run)');
  }
  if (peak > MAX_CONCURRENCY) {
    throw new UsageError(`--concurrency-schedule reaches ${peak} RPCs in flight, above ${MAX_CONCURRENCY}, what one probe process can keep in flight: lower --concurrency-end`);
  }
  if (rampFloor(concurrency) < flags.channels) {
    throw new UsageError(`--channels (${flags.channels}) cannot exceed the concurrency schedule's lowest value (${rampFloor(concurrency)}): each channel needs an RPC in flight`);
  }
}

/** The engine's load options from checked flags: the ramps, the worker count and whether it is sized to the rate. */
export function scheduledLoadOf(flags: LoadFlags): { concurrency: number; autoConcurrency: boolean; loadSchedule: RampSpec | null; concurrencySchedule: RampSpec | null } {
  const loadSchedule = rampOf(loadRampFlags(flags));
  const concurrencySchedule = rampOf(concurrencyRampFlags(flags));
  if (concurrencySchedule !== null) return { concurrency: rampPeak(concurrencySchedule), autoConcurrency: false, loadSchedule, concurrencySchedule };
  const peakRps = loadSchedule === null ? flags.rps : rampPeak(loadSchedule);
  if (peakRps !== undefined && flags.concurrency === undefined) {
    return { concurrency: autoConcurrencyCap(peakRps, flags.deadlineMs, flags.channels), autoConcurrency: true, loadSchedule, concurrencySchedule };
  }
  return { concurrency: flags.concurrency ?? 1, autoConcurrency: false, loadSchedule, concurrencySchedule };
}
