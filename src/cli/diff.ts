// `grpclb-probe diff BEFORE.json AFTER.json`: what changed between two runs of one target (a
// fix, a rollout), and `--expect-improved` to gate on it.
import type { Command } from 'commander';
import type { DiffInput } from '../analysis/diff.js';
import type { RunDocumentInput } from '../result/json-document.js';
import { addOutputFlags, commandAction, runReportedCommand, type CommandReport } from './command.js';
import { EXIT, UsageError } from './errors.js';
import { inputName, readRunDocuments } from './input-files.js';
import type { OutputFlags } from './output.js';

/** The flags of `diff` as commander parses them. */
export interface DiffFlags extends OutputFlags {
  force?: boolean;
  expectImproved?: boolean;
}

const EXAMPLES = `
Examples:
  $ grpclb-probe run -t my-svc.my-ns:50051 -o json > before.json     # pick_first: pinned
  $ grpclb-probe run -t dns:///my-svc.my-ns:50051 --lb-policy round_robin -o json > after.json
  $ grpclb-probe diff before.json after.json
  $ grpclb-probe diff before.json after.json --expect-improved -o markdown >> "$GITHUB_STEP_SUMMARY"

Input: one \`run -o json\` (or \`merge -o json\`) result per file; - reads one from stdin.
Improved: the skew fell, or the verdict moved from PINNED or PARTIAL to BALANCED.
Exit codes: 0 ok, 1 --expect-improved and not improved, 2 usage error (unreadable file, no run
result or several in a file, different targets without --force, a bad --out), 74 the report
could not be written (--out; a failed --expect-improved stays 1).
`;

/** Registers `diff` on `program`. Heavy modules load when it runs. */
export function registerDiff(program: Command): void {
  const command = program
    .command('diff')
    .description(
      'Compare two run results of one target: verdict, skew, Jain index, shares per backend (joined by name; new and gone ' +
        'backends marked), p50/p99 and error rate, before and after.',
    )
    .argument('<before>', 'the earlier run result (JSON); - for stdin')
    .argument('<after>', 'the later run result (JSON); - for stdin')
    .option('--force', 'compare results of different targets')
    .option('--expect-improved', 'exit 1 unless the skew fell or the verdict moved from PINNED/PARTIAL to BALANCED');
  addOutputFlags(command, { progress: false })
    .addHelpText('after', EXAMPLES)
    .action(commandAction((before: string, after: string, flags: DiffFlags) => diffCommand(before, after, flags)));
}

const VERDICTS: ReadonlySet<unknown> = new Set(['UNSTABLE', 'UNKNOWN', 'PINNED', 'PARTIAL', 'BALANCED']);

/** Whether the document carries the analysis diff reads (what `run -o json` and `merge -o json` write). */
function analyzed(document: RunDocumentInput): document is DiffInput['document'] {
  const skew = document.skew as Partial<DiffInput['document']['skew']> | undefined;
  return (
    VERDICTS.has(document.diagnosis?.verdict) &&
    typeof skew?.skew === 'number' &&
    typeof skew.jainIndex === 'number' &&
    typeof skew.totalRpcs === 'number' &&
    typeof document.latencyMs?.p50 === 'number' &&
    typeof document.latencyMs.p99 === 'number'
  );
}

/** The one analyzed run document in `file`. @throws UsageError naming the file. */
async function readOneRun(file: string): Promise<DiffInput> {
  const runs = await readRunDocuments(file, 'diff takes');
  if (runs.length > 1) {
    throw new UsageError(`${inputName(file)}: ${runs.length} run results; diff compares one with one (merge them first: grpclb-probe merge ${file} -o json)`);
  }
  const document = runs[0] as RunDocumentInput;
  if (!analyzed(document)) throw new UsageError(`${inputName(file)}: a run result without its analysis (skew, diagnosis, latency); write it with run -o json`);
  return { file, document };
}

/** Runs `diff` and returns the exit code. @throws UsageError naming the input at fault. */
export async function diffCommand(beforeFile: string, afterFile: string, flags: DiffFlags): Promise<number> {
  if (beforeFile === '-' && afterFile === '-') throw new UsageError('stdin (-) can be given once');
  if ((beforeFile === '-' || afterFile === '-') && process.stdin.isTTY === true) {
    throw new UsageError('- reads a result from stdin, and stdin is a terminal: pass a file or pipe one in');
  }
  return runReportedCommand(flags, async ({ plan }): Promise<CommandReport> => {
    const { diffRuns, DiffError } = await import('../analysis/diff.js');
    const before = await readOneRun(beforeFile);
    const after = await readOneRun(afterFile);
    let diff;
    try {
      diff = diffRuns(before, after, flags.force === true);
    } catch (error) {
      if (error instanceof DiffError) throw new UsageError(`${inputName(error.file)}: ${error.message}; pass --force to compare anyway`);
      throw error;
    }
    const { renderDiffTable, improvementLine } = await import('../report/diff-table.js');
    const { renderDiffMarkdown } = await import('../report/diff-markdown.js');
    const { diffJsonReport } = await import('../report/diff-json.js');
    const { renderDiffHtml } = await import('../report/html/page.js');
    const renderings = {
      table: () => renderDiffTable(diff, { color: plan.color, width: plan.columns }),
      json: () => JSON.stringify(diffJsonReport(diff), null, plan.compactJson ? undefined : 2) + '\n',
      markdown: () => renderDiffMarkdown(diff),
      html: () => renderDiffHtml(diff, { before: before.document.histogram, after: after.document.histogram }),
    };
    const exitCode = (): number => {
      if (flags.expectImproved !== true || diff.improvements.length > 0) return EXIT.ok;
      process.stderr.write(`grpclb-probe: gate --expect-improved failed: ${improvementLine(diff)}\n`);
      return EXIT.gateFailed;
    };
    return { renderings, exitCode };
  }, { measures: false });
}
