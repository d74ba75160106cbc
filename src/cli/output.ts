// Where reports and progress go, decided once per command: the chosen format to stdout (and
// --out, report-files.ts), progress to stderr as a live ink view on a terminal or a plain line.
import type { ProgressSnapshot } from '../result/run-result.js';
import { formatProgressLine } from '../report/progress.js';
import { terminalText } from '../report/sanitize.js';
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
 * any non-empty value off (no-color.org); `TERM=dumb` off (a terminal that shows escape codes
 * as text, like Emacs' shell); else on only for a terminal.
 */
export function colorWanted(flags: OutputFlags, env: NodeJS.ProcessEnv, terminal: boolean): boolean {
  if (flags.color === false) return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR.toLowerCase());
  if ((env.NO_COLOR ?? '') !== '') return false;
  if (env.TERM === 'dumb') return false;
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
      process.stderr.write(`${terminalText(title)}\n`);
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
