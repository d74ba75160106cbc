// The one command skeleton run, scenario, merge and lab share: the output flags, --out checked
// before any work, signals, the final write (exit 74 when it fails) and the exit-code mapping.
import { existsSync } from 'node:fs';
import { CommanderError, Option, type Command } from 'commander';
import { CliError, EXIT } from './errors.js';
import { interruptOnSignals } from './interrupt.js';
import { OUTPUT_FORMATS, planOutput, startProgress, type OutputFlags, type OutputFormat, type OutputPlan, type Progress, type Renderings } from './output.js';
import { checkOutputFiles, emitReport, type InputFile } from './report-files.js';
import { markdownText, terminalText } from '../report/sanitize.js';
import { SCHEMA_VERSION, type FailureDocumentV1 } from '../result/json-document.js';
import { toolInfo } from '../tool.js';

/** Which output flags a command takes. */
export interface OutputFlagChoices {
  /** The formats it renders, in help order. Default: every one of {@link OUTPUT_FORMATS}. */
  readonly formats?: readonly OutputFormat[];
  /** Whether it shows progress on stderr, and so takes `-q, --quiet`. Default true. */
  readonly progress?: boolean;
}

/**
 * Adds `-o, --output` (default table), `--out`, `-q, --quiet` and `--no-color` to `command`,
 * with the one help text every command shows. Parsed into {@link OutputFlags}.
 */
export function addOutputFlags(command: Command, choices: OutputFlagChoices = {}): Command {
  const formats = choices.formats ?? OUTPUT_FORMATS;
  command
    .addOption(
      new Option('-o, --output <format>', `report format on stdout${formats.includes('html') ? '; html needs --out (a self-contained page)' : ''}`)
        .choices(formats)
        .default('table'),
    )
    .option('--out <file>', 'write the report, in the chosen format, to this file (checked before the work starts); stdout then shows the table');
  if (choices.progress !== false) command.option('-q, --quiet', 'no progress on stderr');
  return command.option('--no-color', 'no colors (NO_COLOR and FORCE_COLOR=0 too; FORCE_COLOR=1 forces them)');
}

/**
 * Plans the output and checks its files: what every reporting command does before any work.
 * @param progress false: no progress whatever the flags (a command that measures nothing).
 * @param inputs the files the command reads, which the report may not overwrite.
 * @throws UsageError for `-o html` without `--out`, and for an --out or GITHUB_STEP_SUMMARY
 *   that cannot be written (see {@link checkOutputFiles}).
 */
export function prepareOutput(flags: OutputFlags, progress = true, inputs: readonly InputFile[] = []): OutputPlan {
  const plan = planOutput(progress ? flags : { ...flags, quiet: true });
  checkOutputFiles(plan, inputs);
  return plan;
}

/** What the skeleton hands a command's work. */
export interface CommandContext {
  /** The output plan, decided and its files checked before the work started. */
  readonly plan: OutputPlan;
  /** Progress per the plan; the skeleton takes it down before a signal's notice and before the report. */
  readonly progress: Progress;
  /** Aborts on the first SIGINT/SIGTERM/SIGHUP: stop, then return what was measured. */
  readonly signal: AbortSignal;
  /**
   * Sets what a second signal saves (to stdout and --out, synchronously) before exit 130: the
   * renderings of what was measured so far, or null while there is nothing yet. The last set wins.
   */
  saveOnSecondSignal(partial: () => Renderings | null): void;
  /** Registers a release (close the lab) run after the report is out, or after a failure; last registered runs first. */
  defer(release: () => Promise<void> | void): void;
}

/** What a command's work ends with. */
export interface CommandReport {
  readonly renderings: Renderings;
  /**
   * The command's own exit code, asked once the report is out so that its lines (a failed
   * gate) follow the report on stderr. May throw a CliError (exit 3 when no RPC succeeded).
   */
  readonly exitCode: () => number;
}

/** How the skeleton runs a command. */
export interface ReportedCommandOptions {
  /**
   * false for a command that measures nothing over time (merge): no progress, and no signal
   * handling (Ctrl-C ends it as it ends any tool). Default true.
   */
  readonly measures?: boolean;
  /** The files the command reads (`--proto`, merge's inputs): --out naming one is exit 2 before any work. Default none. */
  readonly inputs?: readonly InputFile[];
}

/**
 * The skeleton of a command that ends in a report: plans and checks the output before
 * `work`, starts progress, handles signals (the first aborts {@link CommandContext.signal};
 * a second saves {@link CommandContext.saveOnSecondSignal}'s report and exits 130), writes
 * the report, and returns the exit code ({@link exitCodeAfterWrite}).
 * @throws CliError subclasses from the checks and from `work`, for {@link exitCodeOfError}.
 */
export async function runReportedCommand(
  flags: OutputFlags,
  work: (context: CommandContext) => Promise<CommandReport>,
  options: ReportedCommandOptions = {},
): Promise<number> {
  const measures = options.measures !== false;
  const plan = prepareOutput(flags, measures, options.inputs);
  const progress = await startProgress(plan);
  let partial: () => Renderings | null = () => null;
  const releases: (() => Promise<void> | void)[] = [];
  const interrupt = measures
    ? interruptOnSignals({
        beforeNotice: () => progress.stop(),
        beforeExit: () => {
          const renderings = partial();
          if (renderings !== null) emitReport(plan, renderings);
        },
      })
    : null;
  try {
    let report: CommandReport;
    try {
      report = await work({
        plan,
        progress,
        signal: interrupt?.signal ?? new AbortController().signal,
        saveOnSecondSignal: (save) => (partial = save),
        defer: (release) => releases.unshift(release),
      });
    } catch (error) {
      progress.stop();
      // -o json: a CI step that parses stdout gets one document for every exit but 2.
      const failure = failureDocument(error);
      if (plan.format === 'json' && failure !== null) emitReport(plan, failureRenderings(failure, plan));
      throw error;
    }
    progress.stop();
    const written = emitReport(plan, report.renderings);
    return exitCodeAfterWrite(report.exitCode(), written);
  } finally {
    progress.stop();
    interrupt?.dispose();
    for (const release of releases) await release();
  }
}

/** The document `-o json` gives for what `work` threw; null for a usage error (exit 2) and for commander's own. */
export function failureDocument(error: unknown): FailureDocumentV1 | null {
  if (error instanceof CommanderError) return null;
  const { exitCode, line } = describeError(error);
  if (exitCode === EXIT.usage) return null;
  const stopReason = exitCode === EXIT.labFailed ? 'lab-failed' : exitCode === EXIT.internal ? 'internal-error' : 'failed';
  return { schemaVersion: SCHEMA_VERSION, tool: toolInfo(), stopReason, exitCode, error: line };
}

/** The failure document as every format: JSON itself; the table is empty (the stderr line says it all). */
function failureRenderings(failure: FailureDocumentV1, plan: OutputPlan): Renderings {
  const json = (): string => JSON.stringify(failure, null, plan.compactJson ? undefined : 2) + '\n';
  return { table: () => '', json, markdown: () => `grpclb-probe: ${markdownText(failure.error)} (exit ${failure.exitCode})\n`, html: () => '' };
}

/**
 * The exit code once the report is out: the command's own when it is not 0 (a failed gate
 * stays 1, an interrupt 130), else 74 when --out or GITHUB_STEP_SUMMARY could not be written.
 */
export function exitCodeAfterWrite(own: number, written: boolean): number {
  if (own !== EXIT.ok) return own;
  return written ? EXIT.ok : EXIT.ioError;
}

/**
 * A commander action that sets process.exitCode to what `run` returns; what it throws goes
 * on to {@link exitCodeOfError} (in main).
 */
export function commandAction<Args extends unknown[]>(run: (...args: Args) => Promise<number>): (...args: Args) => Promise<void> {
  return async (...args) => {
    process.exitCode = await run(...args);
  };
}

/**
 * `EMFILE`/`ENFILE` when `error` comes from running out of file descriptors, else null. Node's
 * ESM resolver reports a module it could not stat for want of descriptors as not found
 * (ERR_MODULE_NOT_FOUND): that counts too when the module is in fact there.
 */
function outOfDescriptors(error: unknown): string | null {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code === 'EMFILE' || code === 'ENFILE') return code;
  const missing = code === 'ERR_MODULE_NOT_FOUND' ? /Cannot find (?:package|module) '([^']+)'/.exec(message ?? '')?.[1] : undefined;
  if (missing === undefined) return null;
  // Without a descriptor for its package.json, Node guesses `<package>/index.js`: the package folder tells.
  const packageFolder = /^.*\/node_modules\/(?:@[^/]+\/)?[^/]+/.exec(missing)?.[0];
  return existsSync(packageFolder ?? missing) ? 'EMFILE' : null;
}

/**
 * The exit code for what a command threw, with its one line on stderr: commander's own
 * errors (help and --version: 0; usage: 2, already printed), a {@link CliError}'s code, else
 * exit 2 for running out of file descriptors (EMFILE, ENFILE: a tiny `ulimit -n`), else
 * {@link EXIT.internal} with the first line of the message (the stack with GRPCLB_PROBE_DEBUG).
 */
export function exitCodeOfError(error: unknown, env: NodeJS.ProcessEnv = process.env): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  const { exitCode, line } = describeError(error);
  // Messages quote what servers sent (status details, names): one line, nothing the terminal acts on.
  process.stderr.write(`grpclb-probe: ${terminalText(line)}\n`);
  if (exitCode === EXIT.internal && env.GRPCLB_PROBE_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
  return exitCode;
}

/**
 * The exit code and the one line (unsanitized, no prefix) for what a command threw: a
 * {@link CliError}'s own, exit 2 for running out of file descriptors, else {@link EXIT.internal}
 * with the message's first line.
 */
function describeError(error: unknown): { exitCode: number; line: string } {
  if (error instanceof CliError) return { exitCode: error.exitCode, line: error.message };
  const code = outOfDescriptors(error);
  if (code !== null) {
    // Loading our own modules (commands load lazily) can hit a tiny `ulimit -n` before any check runs.
    return { exitCode: EXIT.usage, line: `out of file descriptors (${code}) before the command could start: raise the open-file limit (ulimit -n 1024)` };
  }
  const text = error instanceof Error ? error.message : String(error);
  return { exitCode: EXIT.internal, line: `internal error: ${text.split('\n')[0] ?? ''} (set GRPCLB_PROBE_DEBUG=1 for the stack)` };
}
