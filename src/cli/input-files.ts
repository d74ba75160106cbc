// Reading the result files `merge` and `diff` take: a file, or `-` for stdin, as text; and
// the run documents in it, with a one-line error naming a file that holds none.
import { readFile } from 'node:fs/promises';
import type { RunDocumentInput } from '../result/json-document.js';
import { UsageError } from './errors.js';

/** `stdin` for `-`, else the file name: how errors name an input. */
export function inputName(file: string): string {
  return file === '-' ? 'stdin' : file;
}

/** The text of `file`, or of stdin for `-`. @throws UsageError naming a file that cannot be read. */
export async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * The run documents of `run -o json` in `file` (JSON Lines, concatenated or pretty, other lines
 * skipped). Heavy modules load here.
 * @param takes what the command takes, for the error on a lab comparison (`merge takes ...`).
 * @throws UsageError when the file holds no run document.
 */
export async function readRunDocuments(file: string, takes: string): Promise<RunDocumentInput[]> {
  const { findJsonObjects } = await import('../analysis/json-documents.js');
  const { isRunDocument } = await import('../analysis/merge.js');
  const found = findJsonObjects(await readInput(file));
  const runs = found.objects.filter(isRunDocument);
  if (runs.length === 0) {
    const lab = found.objects.some((object) => typeof object === 'object' && object !== null && 'setups' in object);
    throw new UsageError(`${inputName(file)}: ${lab ? `a lab comparison, not a run result (${takes} \`run -t TARGET -o json\` results)` : 'no grpclb-probe run result (JSON) found'}`);
  }
  return runs;
}
