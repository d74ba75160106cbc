// Where reports and progress go: the chosen format to stdout (and --out, and the GitHub step
// summary), progress to stderr as a live ink view on a terminal or a plain line otherwise.
import { accessSync, appendFileSync, constants, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { ProgressSnapshot } from '../engine/result.js';
import { formatProgressLine } from '../report/progress.js';
import { UsageError } from './errors.js';

/** Report formats. */
export const OUTPUT_FORMATS = ['table', 'json', 'markdown', 'html'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The output flags as commander parsed them. */
export interface OutputFlags {
  readonly output: OutputFormat;
  readonly out?: string;
  readonly quiet?: boolean;
  /** false with --no-color. */
  readonly color?: boolean;
}

/** Decided once per command from flags, environment and terminals. */
export interface OutputPlan {
  readonly format: OutputFormat;
  readonly outFile: string | null;
  readonly quiet: boolean;
  /** ANSI colors in the table: stdout is a terminal, no NO_COLOR, no --no-color. */
  readonly color: boolean;
  /** Colors in the live view (on stderr): no NO_COLOR, no --no-color. */
  readonly liveColor: boolean;
  /** The ink live view: stderr is a terminal, not CI, not JSON, not quiet. */
  readonly live: boolean;
  /** `GITHUB_STEP_SUMMARY`: a file the markdown report is appended to. */
  readonly stepSummary: string | null;
  /** Plain progress line period, ms. */
  readonly progressEveryMs: number;
  /** JSON on one line (JSON Lines) when stdout is not a terminal: pipes, files, `kubectl logs`. */
  readonly compactJson: boolean;
}

/** Plain progress: one line per this many ms. */
export const PROGRESS_LINE_MS = 2000;

/** Which of our output streams are terminals. */
export interface Terminals {
  readonly stdout: boolean;
  readonly stderr: boolean;
}

/**
 * Decides the plan. NO_COLOR (any non-empty value, no-color.org) turns colors off everywhere.
 * @param terminals default: what process.stdout / process.stderr say.
 * @throws UsageError for `-o html` without `--out` (a page is a file to open, not terminal text).
 */
export function planOutput(
  flags: OutputFlags,
  env: NodeJS.ProcessEnv = process.env,
  terminals: Terminals = { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
): OutputPlan {
  if (flags.output === 'html' && flags.out === undefined) {
    throw new UsageError('-o html needs --out FILE: the page is a file to open in a browser (stdout still shows the table)');
  }
  const noColor = (env.NO_COLOR ?? '') !== '' || flags.color === false;
  const quiet = flags.quiet ?? false;
  return {
    format: flags.output,
    outFile: flags.out ?? null,
    quiet,
    color: !noColor && terminals.stdout,
    liveColor: !noColor,
    live: terminals.stderr && env.CI === undefined && flags.output !== 'json' && !quiet,
    stepSummary: env.GITHUB_STEP_SUMMARY !== undefined && env.GITHUB_STEP_SUMMARY !== '' ? env.GITHUB_STEP_SUMMARY : null,
    progressEveryMs: PROGRESS_LINE_MS,
    compactJson: !terminals.stdout,
  };
}

/** Progress shown while runs go on. */
export interface Progress {
  /** Shows this run from now on; a no-op once stopped. */
  follow(title: string, snapshot: () => ProgressSnapshot): void;
  /** Takes the progress down; safe to call more than once. */
  stop(): void;
}

/** Starts progress per the plan: ink live view, a plain line every few seconds, or nothing. */
export async function startProgress(plan: OutputPlan): Promise<Progress> {
  if (plan.quiet) {
    return { follow: () => undefined, stop: () => undefined };
  }
  if (plan.live) {
    const { startLiveView } = await import('../ui/live.js');
    let handle: ReturnType<typeof startLiveView> | null = null;
    let stopped = false;
    return {
      follow(title, snapshot) {
        if (stopped) return;
        if (handle === null) handle = startLiveView(process.stderr, title, snapshot, plan.liveColor);
        else handle.follow(title, snapshot);
      },
      stop() {
        if (stopped) return;
        stopped = true;
        handle?.stop();
      },
    };
  }
  let title = '';
  let source: (() => ProgressSnapshot) | null = null;
  const timer = setInterval(() => {
    if (source !== null) process.stderr.write(formatProgressLine(title, source()) + '\n');
  }, plan.progressEveryMs);
  timer.unref();
  return {
    follow(nextTitle, snapshot) {
      title = nextTitle;
      source = snapshot;
    },
    stop() {
      clearInterval(timer);
      source = null;
    },
  };
}

/** The report in each format, rendered on demand. */
export interface Renderings {
  table(): string;
  json(): string;
  markdown(): string;
  /** A self-contained page (report/html/page.ts). */
  html(): string;
}

/**
 * Checks, before a run starts, that --out and GITHUB_STEP_SUMMARY can be written: the path is
 * not a folder, its folder exists, and one or the other is writable. A bad path is then a
 * usage error in a second instead of a lost report after a long run.
 * @throws UsageError naming --out or GITHUB_STEP_SUMMARY, the path and what is wrong.
 */
export function checkOutputFiles(plan: OutputPlan): void {
  if (plan.outFile !== null) checkWritable(`--out ${plan.outFile}`, plan.outFile);
  if (plan.stepSummary !== null) checkWritable(`GITHUB_STEP_SUMMARY ${plan.stepSummary}`, plan.stepSummary);
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function checkWritable(what: string, file: string): void {
  const stats = statOrNull(file);
  if (stats !== null) {
    if (stats.isDirectory()) throw new UsageError(`${what}: is a folder; name a file`);
    if (!writable(file)) throw new UsageError(`${what}: not writable (permission denied)`);
    return;
  }
  const folder = dirname(resolve(file));
  const folderStats = statOrNull(folder);
  if (folderStats === null) throw new UsageError(`${what}: folder ${folder} does not exist`);
  if (!folderStats.isDirectory()) throw new UsageError(`${what}: ${folder} is not a folder`);
  if (!writable(folder)) throw new UsageError(`${what}: folder ${folder} is not writable (permission denied)`);
}

/**
 * Prints the report: the chosen format to stdout; with --out, the chosen format to the file
 * and the table to stdout (a person still reads the run while a file or a CI step gets the
 * JSON). Appends the markdown form to the GitHub step summary when there is one.
 *
 * A file that cannot be written (disk full, EIO) loses nothing: stderr names the file and the
 * chosen format goes to stdout instead (once). Synchronous, so it can run just before an exit.
 * @returns false when a file could not be written (the caller exits 74 unless its own code is worse).
 */
export function emitReport(plan: OutputPlan, renderings: Renderings): boolean {
  const chosen = renderings[plan.format]();
  const table = plan.format === 'table' ? chosen : null;
  process.stdout.write(plan.outFile === null ? chosen : (table ?? renderings.table()));
  let chosenOnStdout = plan.outFile === null || table !== null;
  let written = true;
  const fallBack = (what: string, error: unknown): void => {
    written = false;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    process.stderr.write(`grpclb-probe: ${what}: cannot write: ${code}${chosenOnStdout ? '' : `; the ${plan.format} report follows on stdout`}\n`);
    if (!chosenOnStdout) process.stdout.write(chosen);
    chosenOnStdout = true;
  };
  if (plan.outFile !== null) {
    const file = plan.outFile;
    try {
      writeFileSync(file, table === null ? chosen : stripVTControlCharacters(table));
    } catch (error) {
      fallBack(`--out ${file}`, error);
    }
  }
  if (plan.stepSummary !== null) {
    const summary = plan.stepSummary;
    try {
      appendFileSync(summary, renderings.markdown());
    } catch (error) {
      fallBack(`GITHUB_STEP_SUMMARY ${summary}`, error);
    }
  }
  return written;
}
