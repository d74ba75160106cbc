// Reading the result files `merge` and `diff` take: a file, or `-` for stdin, as text; and
// the run documents in it, with a one-line error naming a file that holds none.
import { readFile, stat } from 'node:fs/promises';
import type { RunDocumentInput } from '../result/json-document.js';
import { UsageError } from './errors.js';

/** `stdin` for `-`, else the file name: how errors name an input. */
export function inputName(file: string): string {
  return file === '-' ? 'stdin' : file;
}

/** Bytes read from one input: far above a thousand probe pods' results, below what a string can hold. */
export const MAX_INPUT_BYTES = 128 * 1024 * 1024;

/** `FILE: 200.0 MiB is over ...`: the one line for an input past {@link MAX_INPUT_BYTES}. */
function tooLarge(file: string, bytes: number | null): UsageError {
  const size = bytes === null ? 'more' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return new UsageError(
    `${inputName(file)}: ${size} is over the ${MAX_INPUT_BYTES / 1024 / 1024} MiB limit per input: pass only the result lines (kubectl logs ... | grep schemaVersion)`,
  );
}

/**
 * The text of `file`, or of stdin for `-`.
 * @throws UsageError naming a file that cannot be read, or that is over {@link MAX_INPUT_BYTES}.
 */
export async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of process.stdin) {
      bytes += (chunk as Buffer).length;
      if (bytes > MAX_INPUT_BYTES) throw tooLarge(file, null);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    const { size } = await stat(file);
    if (size > MAX_INPUT_BYTES) throw tooLarge(file, size);
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * The run documents of `run -o json` in `file` (JSON Lines, concatenated or pretty, other lines
 * skipped). Heavy modules load here.
 * @param takes what the command takes, for the error on a lab comparison (`merge takes ...`).
 * @throws UsageError when the file holds no run document, or one with a field merge cannot use
 *   (named: `backends[0].name: not a string`).
 */
export async function readRunDocuments(file: string, takes: string): Promise<RunDocumentInput[]> {
  const { findJsonObjects } = await import('../analysis/json-documents.js');
  const { isRunDocument } = await import('../analysis/merge.js');
  const { runDocumentProblem } = await import('../analysis/run-document-check.js');
  const found = findJsonObjects(await readInput(file));
  const runs = found.objects.filter(isRunDocument);
  if (runs.length === 0) {
    const lab = found.objects.some((object) => typeof object === 'object' && object !== null && 'setups' in object);
    throw new UsageError(`${inputName(file)}: ${lab ? `a lab comparison, not a run result (${takes} \`run -t TARGET -o json\` results)` : 'no grpclb-probe run result (JSON) found'}`);
  }
  for (const [index, document] of runs.entries()) {
    const problem = runDocumentProblem(document);
    if (problem !== null) {
      const which = runs.length > 1 ? ` (result ${index + 1} of ${runs.length})` : '';
      throw new UsageError(`${inputName(file)}${which}: ${problem}: not a run result that can be read back (edited, or cut short?)`);
    }
  }
  return runs;
}
