// `grpclb-probe scenario NAME`: play a change over time (scale-out, rolling restart, slow pod,
// max connection age) on the lab, every setup side by side on one clock.
import { Command, Option } from 'commander';
import { alternativeResolverEnabled } from '../grpc/alternative-resolver.js';
import { SCENARIOS } from '../lab/scenarios/index.js';
import { resolveScenarioOptions, runScenario } from '../lab/scenarios/runner.js';
import { renderScenarioHtml } from '../report/html/page.js';
import { renderScenarioJson, renderScenarioMarkdown, renderScenarioTable } from '../report/scenario.js';
import { EXIT, LabStartError, UsageError } from './errors.js';
import { interruptOnSignals } from './interrupt.js';
import { startLab } from './lab.js';
import { OUTPUT_FORMATS, planOutput, startProgress, type OutputFlags } from './output.js';
import { emitReport } from './report-files.js';
import * as parse from './parse.js';
import { type DrainMode, SCENARIO_NAMES, type ScenarioName } from '../result/scenario.js';

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

Setups (names are stable): clusterip, headless-rr (round_robin, gRPC defaults),
headless-rr-max-age (servers with 2 s max connection age, clients with
grpc.dns_min_time_between_resolutions_ms=1000), proxy (L7, per RPC); slow-pod compares
headless-rr, headless-least-request, headless-wrr (weighted_round_robin with ORCA) and proxy.

Exit codes: 0 ok (failed RPCs are findings, not errors), 2 usage error, 4 lab failed to start,
130 interrupted (what was measured is still printed, the lab is torn down)
`;

/** `--list`: one line per scenario. */
export function scenarioList(): string {
  return SCENARIO_NAMES.map((name) => `${name.padEnd(16)} ${SCENARIOS[name].summary}`).join('\n') + '\n';
}

/** Registers `scenario` on `program`. */
export function registerScenario(program: Command): void {
  program
    .command('scenario')
    .argument('[name]', `the scenario: ${SCENARIO_NAMES.join(', ')}`, parse.oneOf(SCENARIO_NAMES))
    .summary('play a change over time on the lab: scale-out, rolling-restart, slow-pod, max-age')
    .description(
      'Start the lab, probe every setup at once at a fixed rate, and change the pods on a script (add pods, replace them, ' +
        'slow one down) on the same clock; then tell per setup what happened, with a timeline per pod and what it means in a cluster.',
    )
    .option('--list', 'describe each scenario in one line')
    .option('--replicas <n>', 'pods at the start (default 3)', parse.integerAtLeast(1))
    .option('--rps <rate>', 'fixed rate per setup in RPC/s (default 100)', parse.positiveNumber)
    .addOption(new Option('--drain <mode>', 'rolling-restart: how pods go (default graceful)').choices(['graceful', 'abrupt']))
    .option('--slow-ms <ms>', 'slow-pod: latency added to the slowed pod (default 20)', parse.integerAtLeast(1))
    .option('-z, --duration <duration>', "length of the run, the script scales with it (default: the scenario's, 12-14 s)", parse.duration)
    .addOption(new Option('--interval <duration>', 'timeline interval (one cell)').argParser(parse.duration))
    .addOption(new Option('-o, --output <format>', 'report format on stdout; html needs --out (a self-contained page)').choices(OUTPUT_FORMATS).default('table'))
    .option('--out <file>', 'write the report, in the chosen format, to this file; stdout then shows the table')
    .option('-q, --quiet', 'no progress on stderr')
    .option('--no-color', 'no colors (NO_COLOR is honoured too)')
    .addHelpText('after', EXAMPLES)
    .action(async (name: ScenarioName | undefined, flags: ScenarioFlags) => {
      process.exitCode = await scenarioCommand(name, flags);
    });
}

/** Cross-field validation, in one place. @throws UsageError naming the flag. */
export function validateScenarioFlags(name: ScenarioName | undefined, flags: ScenarioFlags): void {
  if (flags.list === true) return;
  if (name === undefined) throw new UsageError(`scenario: name one of ${SCENARIO_NAMES.join(', ')} (or --list)`);
  if (flags.drain !== undefined && name !== 'rolling-restart') throw new UsageError('--drain only applies to rolling-restart');
  if (flags.slowMs !== undefined && name !== 'slow-pod') throw new UsageError('--slow-ms only applies to slow-pod');
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
  if (!alternativeResolverEnabled()) {
    throw new LabStartError('the lab needs GRPC_NODE_USE_ALTERNATIVE_RESOLVER=true for its DNS server; unset it or set it to true');
  }
  const definition = SCENARIOS[name];
  const options = resolveScenarioOptions(definition, {
    replicas: flags.replicas,
    rps: flags.rps,
    drain: flags.drain,
    slowMs: flags.slowMs,
    durationMs: flags.duration,
    intervalMs: flags.interval,
  });
  const plan = planOutput(flags);
  const progress = await startProgress(plan);
  const interrupt = interruptOnSignals({ beforeNotice: () => progress.stop() });
  let lab;
  try {
    lab = await startLab({ replicas: options.replicas, ...definition.labOptions(options) });
  } catch (error) {
    interrupt.dispose();
    progress.stop();
    throw error;
  }
  try {
    const outcome = await runScenario(definition, lab, options, interrupt.signal, (runs) => {
      const first = runs[0];
      if (first !== undefined) progress.follow(`scenario ${name}: ${first.setup} (1 of ${runs.length} setups shown)`, first.run.snapshot);
    });
    progress.stop();
    emitReport(plan, {
      table: () => renderScenarioTable(outcome, { color: plan.color }),
      json: () => renderScenarioJson(outcome),
      markdown: () => renderScenarioMarkdown(outcome),
      html: () => renderScenarioHtml(outcome),
    });
    return outcome.interrupted ? EXIT.interrupted : EXIT.ok;
  } finally {
    progress.stop();
    interrupt.dispose();
    await lab.close();
  }
}
