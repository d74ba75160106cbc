// Where reports and progress go: the chosen format to stdout (and --out, and the GitHub step
// summary), progress to stderr as a live ink view on a terminal or a plain line otherwise.
import { appendFileSync, writeFileSync } from 'node:fs';
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
 * Prints the report: the chosen format to stdout; with --out, the chosen format to the file
 * and the table to stdout (a person still reads the run while a file or a CI step gets the
 * JSON). Appends the markdown form to the GitHub step summary when there is one.
 * @throws UsageError naming --out or GITHUB_STEP_SUMMARY when the file cannot be written
 *   (after stdout has the report).
 */
export function emitReport(plan: OutputPlan, renderings: Renderings): void {
  const chosen = renderings[plan.format]();
  const table = plan.format === 'table' ? chosen : null;
  process.stdout.write(plan.outFile === null ? chosen : (table ?? renderings.table()));
  if (plan.outFile !== null) {
    const file = plan.outFile;
    writeOrExplain(`--out ${file}`, () => writeFileSync(file, table === null ? chosen : stripVTControlCharacters(table)));
  }
  if (plan.stepSummary !== null) {
    const summary = plan.stepSummary;
    writeOrExplain(`GITHUB_STEP_SUMMARY ${summary}`, () => appendFileSync(summary, renderings.markdown()));
  }
}

function writeOrExplain(what: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    throw new UsageError(`${what}: cannot write: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
