// `grpclb-probe scenario NAME`: play a change over time (scale-out, rolling restart, slow pod,
// max connection age) on the lab, every setup side by side on one clock.
import { Command, Option } from 'commander';
import { SCENARIOS } from '../lab/scenarios/index.js';
import { resolveScenarioOptions, runScenario } from '../lab/scenarios/runner.js';
import { renderScenarioHtml } from '../report/html/page.js';
import { renderScenarioJson, renderScenarioMarkdown, renderScenarioTable } from '../report/scenario.js';
import { SCENARIO_NAMES, type DrainMode, type ScenarioName, type ScenarioOutcome } from '../result/scenario.js';
import { addOutputFlags, commandAction, runReportedCommand, type CommandContext, type CommandReport } from './command.js';
import { EXIT, UsageError } from './errors.js';
import { startLab } from './lab.js';
import type { OutputFlags, OutputPlan, Renderings } from './output.js';
import * as parse from './parse.js';

/** The flags of `scenario` as commander parses them. */
export interface ScenarioFlags extends OutputFlags {
  list?: boolean;
  replicas?: number;
  rps?: number;
  drain?: DrainMode;
  slowMs?: number;
  duration?: number;
  interval?: number;
}

/** Longest `--duration`, ms: a scenario is a demonstration, not a soak test. */
export const MAX_SCENARIO_DURATION_MS = 120_000;
/** Shortest `--duration`, ms: the scripts need a few intervals before and after their events. */
export const MIN_SCENARIO_DURATION_MS = 2000;

const EXAMPLES = `
Examples:
  $ grpclb-probe scenario --list
  $ grpclb-probe scenario scale-out
  $ grpclb-probe scenario rolling-restart --drain abrupt
  $ grpclb-probe scenario slow-pod --slow-ms 50 -o markdown >> "$GITHUB_STEP_SUMMARY"
  $ grpclb-probe scenario max-age -o json | jq '.setups[] | {setup, answer}'
  $ grpclb-probe scenario stream-scale-out   # long-lived streams: which setups ever reach new pods

Setups (names are stable): clusterip, headless-rr (round_robin, gRPC defaults),
headless-rr-max-age (servers with 2 s max connection age, clients with
grpc.dns_min_time_between_resolutions_ms=1000), proxy (L7, per RPC); slow-pod compares
headless-rr, headless-least-request, headless-wrr (weighted_round_robin with ORCA) and proxy;
stream-scale-out holds 12 bidi streams per setup and adds headless-rr-stream-age (each stream
re-opened after 2 s, run --max-stream-age, over a 2 s DNS poll).

Exit codes: 0 ok (failed RPCs are findings, not errors), 2 usage error (a bad --out too, before
the lab starts), 4 lab failed to start, 74 --out/GITHUB_STEP_SUMMARY not written (the report went
to stdout), 130 interrupted (what was measured is still printed and saved, the lab is torn down;
a second Ctrl-C exits at once, saving what was measured so far)
`;

/** `--list`: one line per scenario. */
export function scenarioList(): string {
  return SCENARIO_NAMES.map((name) => `${name.padEnd(16)} ${SCENARIOS[name].summary}`).join('\n') + '\n';
}

/** Registers `scenario` on `program`. */
export function registerScenario(program: Command): void {
  const command = program
    .command('scenario')
    .argument('[name]', `the scenario: ${SCENARIO_NAMES.join(', ')}`, parse.oneOf(SCENARIO_NAMES))
    .summary('play a change over time on the lab: scale-out, rolling-restart, slow-pod, max-age, stream-scale-out')
    .description(
      'Start the lab, probe every setup at once at a fixed rate, and change the pods on a script (add pods, replace them, ' +
        'slow one down) on the same clock; then tell per setup what happened, with a timeline per pod and what it means in a cluster.',
    )
    .option('--list', 'describe each scenario in one line')
    // The rules of `run`: the lab's addresses, a rate whose interval a timer can wait.
    .option('--replicas <n>', `pods at the start (default 3; with the pods the script adds, at most ${parse.MAX_LAB_REPLICAS})`, parse.integerBetween(1, parse.MAX_LAB_REPLICAS, ': lab pods take 127.0.10.2 upwards'))
    .option('--rps <rate>', 'fixed rate per setup in RPC/s (default 100)', parse.rate)
    .addOption(new Option('--drain <mode>', 'rolling-restart: how pods go (default graceful)').choices(['graceful', 'abrupt']))
    .option('--slow-ms <ms>', 'slow-pod: latency added to the slowed pod (default 20)', parse.integerAtLeast(1))
    .option('-z, --duration <duration>', "length of the run, the script scales with it (default: the scenario's, 12-14 s)", parse.duration)
    .addOption(new Option('--interval <duration>', 'timeline interval (one cell)').argParser(parse.duration));
  addOutputFlags(command)
    .addHelpText('after', EXAMPLES)
    .action(commandAction((name: ScenarioName | undefined, flags: ScenarioFlags) => scenarioCommand(name, flags)));
}

/** Cross-field validation, in one place. @throws UsageError naming the flag. */
export function validateScenarioFlags(name: ScenarioName | undefined, flags: ScenarioFlags): void {
  if (flags.list === true) return;
  if (name === undefined) throw new UsageError(`scenario: name one of ${SCENARIO_NAMES.join(', ')} (or --list)`);
  if (flags.drain !== undefined && name !== 'rolling-restart') throw new UsageError('--drain only applies to rolling-restart');
  if (flags.slowMs !== undefined && name !== 'slow-pod') throw new UsageError('--slow-ms only applies to slow-pod');
  const podsAdded = SCENARIOS[name].podsAdded ?? ((): number => 0);
  if (flags.replicas !== undefined && flags.replicas + podsAdded(flags.replicas) > parse.MAX_LAB_REPLICAS) {
    let fits = flags.replicas;
    while (fits > 1 && fits + podsAdded(fits) > parse.MAX_LAB_REPLICAS) fits -= 1;
    throw new UsageError(
      `--replicas ${flags.replicas}: ${name} adds ${podsAdded(flags.replicas)} pods on new addresses, and the lab has ${parse.MAX_LAB_REPLICAS} (127.0.10.2 upwards): at most --replicas ${fits}`,
    );
  }
  const duration = flags.duration;
  if (duration !== undefined && (duration < MIN_SCENARIO_DURATION_MS || duration > MAX_SCENARIO_DURATION_MS)) {
    throw new UsageError(`--duration must be between ${MIN_SCENARIO_DURATION_MS / 1000} s and ${MAX_SCENARIO_DURATION_MS / 1000} s`);
  }
  if (flags.interval !== undefined && flags.interval > (duration ?? SCENARIOS[name].defaultDurationMs) / 2) {
    throw new UsageError('--interval must be at most half the --duration: the timeline needs intervals before and after the events');
  }
}

/** Runs `scenario` and returns the exit code. @throws CliError subclasses for usage and lab errors. */
export async function scenarioCommand(name: ScenarioName | undefined, flags: ScenarioFlags): Promise<number> {
  validateScenarioFlags(name, flags);
  if (flags.list === true || name === undefined) {
    process.stdout.write(scenarioList());
    return EXIT.ok;
  }
  return runReportedCommand(flags, (context) => playScenario(name, flags, context));
}

/** Plays `name` on a lab of its own; the lab is closed after the report is out. @throws LabStartError (exit 4). */
async function playScenario(name: ScenarioName, flags: ScenarioFlags, context: CommandContext): Promise<CommandReport> {
  const definition = SCENARIOS[name];
  const options = resolveScenarioOptions(definition, {
    replicas: flags.replicas,
    rps: flags.rps,
    drain: flags.drain,
    slowMs: flags.slowMs,
    durationMs: flags.duration,
    intervalMs: flags.interval,
  });
  const lab = await startLab({ replicas: options.replicas, ...definition.labOptions(options) });
  context.defer(() => lab.close());
  const outcome = await runScenario(definition, lab, options, context.signal, (runs, partial) => {
    context.saveOnSecondSignal(() => scenarioRenderings(partial(), context.plan));
    const first = runs[0];
    if (first !== undefined) context.progress.follow(`scenario ${name}: ${first.setup} (1 of ${runs.length} setups shown)`, first.run.snapshot);
  });
  return { renderings: scenarioRenderings(outcome, context.plan), exitCode: () => (outcome.interrupted ? EXIT.interrupted : EXIT.ok) };
}

function scenarioRenderings(outcome: ScenarioOutcome, plan: OutputPlan): Renderings {
  return {
    table: () => renderScenarioTable(outcome, { color: plan.color }),
    json: () => renderScenarioJson(outcome),
    markdown: () => renderScenarioMarkdown(outcome),
    html: () => renderScenarioHtml(outcome),
  };
}
