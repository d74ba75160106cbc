// The files a report is written to (--out, GITHUB_STEP_SUMMARY): checked before a command's
// work starts, written at its end, with stdout as the fallback when a write fails.
import { accessSync, appendFileSync, constants, fstatSync, readlinkSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { UsageError } from './errors.js';
import type { OutputPlan, Renderings } from './output.js';

/** A file a command reads (`--proto api.proto`, a merge input): the report may never overwrite it. */
export interface InputFile {
  /** How the user named it, for the message: `--proto`, `-D/--data-file`, `merge input`. */
  readonly flag: string;
  readonly path: string;
}

/**
 * Checks, before a command's work starts, that --out and GITHUB_STEP_SUMMARY can be written
 * where the write will land: symbolic links followed, `..` taken after them as the kernel
 * takes it; the file is not a folder, its folder exists, and one or the other is writable;
 * and it is none of the command's `inputs` (the same file by device and inode, so a link or
 * another spelling of the path counts). A bad path is then a usage error in a second instead
 * of a lost report after a long run, or an input replaced by the report.
 * @throws UsageError naming --out or GITHUB_STEP_SUMMARY, the path and what is wrong.
 */
export function checkOutputFiles(plan: OutputPlan, inputs: readonly InputFile[] = []): void {
  if (plan.outFile !== null) checkReportFile(`--out ${plan.outFile}`, plan.outFile, inputs);
  if (plan.stepSummary !== null) checkReportFile(`GITHUB_STEP_SUMMARY ${plan.stepSummary}`, plan.stepSummary, inputs);
}

function checkReportFile(what: string, file: string, inputs: readonly InputFile[]): void {
  checkWritable(what, file);
  const out = statOrNull(file);
  if (out === null) return;
  for (const input of inputs) {
    const read = statOrNull(input.path);
    if (read !== null && read.dev === out.dev && read.ino === out.ino) {
      throw new UsageError(`${what}: is the ${input.flag} ${input.path} this command reads; the report would overwrite it: name another file`);
    }
  }
}

/** Links a path may go through before open(2) gives up with ELOOP (Linux MAXSYMLINKS). */
const MAX_LINKS = 40;

/**
 * The path a write to `path` lands on: symbolic links to it followed (a dangling one names
 * the file the write creates). Not normalized: `a/../b` needs `a` to exist, as it does for open(2).
 */
function landingPath(path: string): string {
  let current = path;
  for (let hop = 0; hop < MAX_LINKS; hop += 1) {
    let link: string;
    try {
      link = readlinkSync(current);
    } catch {
      return current; // not a link, or nothing there
    }
    current = isAbsolute(link) ? link : `${dirname(current)}/${link}`;
  }
  return current;
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
  if (file.endsWith('/') || file.endsWith(sep)) throw new UsageError(`${what}: names a folder (ends in /); name a file`);
  const landing = landingPath(file);
  const stats = statOrNull(landing);
  if (stats !== null) {
    if (stats.isDirectory()) throw new UsageError(`${what}: is a folder; name a file`);
    if (!writable(landing)) throw new UsageError(`${what}: not writable (permission denied)`);
    return;
  }
  const folder = dirname(landing);
  // Shown absolute, unless `..` makes the lexical form say something else than the kernel.
  const shown = folder.split(sep).includes('..') ? folder : resolve(folder);
  const folderStats = statOrNull(folder);
  if (folderStats === null) throw new UsageError(`${what}: folder ${shown} does not exist`);
  if (!folderStats.isDirectory()) throw new UsageError(`${what}: ${shown} is not a folder`);
  if (!writable(folder)) throw new UsageError(`${what}: folder ${shown} is not writable (permission denied)`);
}

/**
 * Prints the report: the chosen format to stdout; with --out, the chosen format to the file
 * and the table to stdout (a person still reads the run while a file or a CI step gets the
 * JSON). Appends the markdown form to the GitHub step summary when there is one, unless stdout
 * is that file (`... -o markdown >> "$GITHUB_STEP_SUMMARY"`): the report is there once already.
 *
 * A file that cannot be written (disk full, EIO) loses nothing: stderr names the file and the
 * chosen format goes to stdout instead (once). Synchronous, so it can run just before an exit.
 * @returns false when a file could not be written (the caller exits 74 unless its own code is non-zero).
 */
export function emitReport(plan: OutputPlan, renderings: Renderings): boolean {
  const chosen = renderings[plan.format]();
  const table = plan.format === 'table' ? chosen : null;
  // The file first: a JSON document never waits on the table that stdout shows beside it.
  let outError: unknown = null;
  if (plan.outFile !== null) {
    try {
      writeFileSync(plan.outFile, table === null ? chosen : stripVTControlCharacters(table));
    } catch (error) {
      outError = error;
    }
  }
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
  if (outError !== null) fallBack(`--out ${plan.outFile}`, outError);
  if (plan.stepSummary !== null && !isStdout(plan.stepSummary)) {
    const summary = plan.stepSummary;
    try {
      appendFileSync(summary, renderings.markdown());
    } catch (error) {
      fallBack(`GITHUB_STEP_SUMMARY ${summary}`, error);
    }
  }
  return written;
}

/** Whether `file` is the regular file stdout writes to (same device and inode). */
function isStdout(file: string): boolean {
  try {
    const stdout = fstatSync(1);
    const stats = statSync(file);
    return stdout.isFile() && stdout.dev === stats.dev && stdout.ino === stats.ino;
  } catch {
    return false;
  }
}
