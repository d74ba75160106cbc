// Where reports and progress go: the chosen format to stdout (and --out, and the GitHub step
// summary), progress to stderr as a live ink view on a terminal or a plain line otherwise.
import { accessSync, appendFileSync, constants, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { ProgressSnapshot } from '../result/run-result.js';
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
  /** ANSI colors in the table: see {@link colorWanted}, with stdout's terminal. */
  readonly color: boolean;
  /** Colors in the live view (on stderr): see {@link colorWanted}. */
  readonly liveColor: boolean;
  /** The ink live view: stderr is a terminal that can move its cursor (TERM is not `dumb`), not CI, not JSON, not quiet. */
  readonly live: boolean;
  /** Columns the report must fit in: stdout's, else `COLUMNS`, else {@link DEFAULT_COLUMNS}. */
  readonly columns: number;
  /** Rows of stderr's terminal, which the live view stays within: else `LINES`, else {@link DEFAULT_ROWS}. */
  readonly rows: number;
  /** `GITHUB_STEP_SUMMARY`: a file the markdown report is appended to. */
  readonly stepSummary: string | null;
  /** Plain progress line period, ms. */
  readonly progressEveryMs: number;
  /** JSON on one line (JSON Lines) when stdout is not a terminal: pipes, files, `kubectl logs`. */
  readonly compactJson: boolean;
}

/** Plain progress: one line per this many ms. */
export const PROGRESS_LINE_MS = 2000;

/** Width when neither the terminal nor COLUMNS says. */
export const DEFAULT_COLUMNS = 80;
/** Height when neither the terminal nor LINES says. */
export const DEFAULT_ROWS = 24;

/** Which of our output streams are terminals, and their size when known. */
export interface Terminals {
  readonly stdout: boolean;
  readonly stderr: boolean;
  /** stdout's columns when it is a terminal. */
  readonly columns?: number;
  /** stderr's rows when it is a terminal. */
  readonly rows?: number;
}

function positiveInteger(text: string | undefined): number | null {
  const value = Number(text);
  return text !== undefined && Number.isInteger(value) && value > 0 ? value : null;
}

/**
 * Whether to color a stream, in this order: `--no-color` off; `FORCE_COLOR` `0`/`false` off,
 * any other value on (as Node and chalk read it, even when not a terminal); `NO_COLOR` with
 * any non-empty value off (no-color.org); else on only for a terminal.
 */
export function colorWanted(flags: OutputFlags, env: NodeJS.ProcessEnv, terminal: boolean): boolean {
  if (flags.color === false) return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR.toLowerCase());
  if ((env.NO_COLOR ?? '') !== '') return false;
  return terminal;
}

/**
 * Decides the plan.
 * @param terminals default: what process.stdout / process.stderr say.
 * @throws UsageError for `-o html` without `--out` (a page is a file to open, not terminal text).
 */
export function planOutput(
  flags: OutputFlags,
  env: NodeJS.ProcessEnv = process.env,
  terminals: Terminals = {
    stdout: process.stdout.isTTY === true,
    stderr: process.stderr.isTTY === true,
    columns: process.stdout.isTTY === true ? process.stdout.columns : undefined,
    rows: process.stderr.isTTY === true ? process.stderr.rows : undefined,
  },
): OutputPlan {
  if (flags.output === 'html' && flags.out === undefined) {
    throw new UsageError('-o html needs --out FILE: the page is a file to open in a browser (stdout still shows the table)');
  }
  const quiet = flags.quiet ?? false;
  return {
    format: flags.output,
    outFile: flags.out ?? null,
    quiet,
    color: colorWanted(flags, env, terminals.stdout),
    liveColor: colorWanted(flags, env, true),
    live: terminals.stderr && env.TERM !== 'dumb' && env.CI === undefined && flags.output !== 'json' && !quiet,
    columns: (terminals.stdout ? positiveInteger(String(terminals.columns)) : null) ?? positiveInteger(env.COLUMNS) ?? DEFAULT_COLUMNS,
    rows: (terminals.stderr ? positiveInteger(String(terminals.rows)) : null) ?? positiveInteger(env.LINES) ?? DEFAULT_ROWS,
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
        if (handle === null) handle = startLiveView(process.stderr, title, snapshot, { color: plan.liveColor, rows: plan.rows });
        else handle.follow(title, snapshot);
      },
      stop() {
        if (stopped) return;
        stopped = true;
        handle?.stop();
      },
    };
  }
  // The title (a target can be a long ipv4: list) once per run, then short lines under it.
  let source: (() => ProgressSnapshot) | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (source !== null) process.stderr.write(formatProgressLine('', source()) + '\n');
  }, plan.progressEveryMs);
  timer.unref();
  return {
    follow(title, snapshot) {
      if (stopped) return;
      process.stderr.write(`${title}\n`);
      source = snapshot;
    },
    stop() {
      stopped = true;
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
