// `grpclb-probe merge`: run results from many probe pods (JSON, one per line or concatenated,
// log lines between them tolerated) merged into one report with the same analysis as one run.
import type { Command } from 'commander';
import type { RunDocument, RunDocumentInput } from '../result/json-document.js';
import { addOutputFlags, commandAction, runReportedCommand, type CommandContext, type CommandReport } from './command.js';
import { EXIT, UsageError } from './errors.js';
import { inputName, readRunDocuments } from './input-files.js';
import { addGateFlags, gateLimits, type GateFlags } from './gate-flags.js';
import type { OutputFlags } from './output.js';
import * as parse from './parse.js';
import { terminalText } from '../report/sanitize.js';

/** The flags of `merge` as commander parses them. */
export interface MergeFlags extends OutputFlags, GateFlags {
  force?: boolean;
  expectBackends?: number;
}

const EXAMPLES = `
Examples:
  $ kubectl -n grpclb-probe logs -l job-name=grpclb-probe -c probe-clusterip --tail=-1 | grpclb-probe merge
  $ grpclb-probe merge pod-a.json pod-b.json -o markdown
  $ grpclb-probe merge results/*.jsonl --expect-backends 3 -o json > merged.json
  $ grpclb-probe merge results/*.jsonl --expect balanced --min-backends 3      # CI gate over all probe pods

Input: JSON results of \`grpclb-probe run -o json\` (one per line, concatenated or pretty);
other lines (logs, progress, kubectl --prefix) are skipped. Exit codes: 0 ok, 1 gate failed, 2 usage error
(unreadable file, no result found, different targets or schema versions without --force, a bad --out),
74 the report could not be written (--out; a failed gate stays 1).
`;

/** Registers `merge` on `program`. Heavy modules load when it runs. */
export function registerMerge(program: Command): void {
  const command = program
    .command('merge')
    .description(
      'Merge `run -o json` results (e.g. the pods of the probe Job from `grpclb-probe manifests`): counts and statuses summed, ' +
        'latency histograms added, backends and peers unioned, channel rows kept with their client pod, timelines aligned ' +
        'on their start times; then the same analysis and diagnosis as a single run.',
    )
    .argument('[files...]', 'result files; - or none: stdin')
    .option('--force', 'merge results of different targets or schema versions')
    .option('--expect-backends <n>', 'backends that should answer (default: the largest --expect-backends among the inputs)', parse.integerAtLeast(1));
  addOutputFlags(addGateFlags(command), { progress: false })
    .addHelpText('after', EXAMPLES)
    .action(commandAction((files: string[], flags: MergeFlags) => mergeCommand(files, flags)));
}

/** Runs `merge` and returns the exit code. @throws UsageError naming the file that cannot be merged. */
export async function mergeCommand(files: readonly string[], flags: MergeFlags): Promise<number> {
  const names = files.length === 0 ? ['-'] : [...files];
  if (names.filter((name) => name === '-').length > 1) throw new UsageError('stdin (-) can be given once');
  if (names.includes('-') && process.stdin.isTTY === true) {
    // Waiting for a person to type JSON is never what was meant.
    throw new UsageError('no FILE and stdin is a terminal: pass result files, or pipe them in (kubectl logs ... | grpclb-probe merge)');
  }
  const inputs = names.filter((name) => name !== '-').map((path) => ({ flag: 'merge input', path }));
  return runReportedCommand(flags, (context) => mergeReport(names, flags, context), { measures: false, inputs });
}

/** The run documents in `names`, each with its file. @throws UsageError naming a file without one. */
async function readRuns(names: readonly string[]): Promise<{ file: string; document: RunDocumentInput }[]> {
  const inputs = [];
  for (const file of names) inputs.push(...(await readRunDocuments(file, 'merge takes')).map((document) => ({ file, document })));
  return inputs;
}

/** Merges the runs in `names` and analyzes them as one run. Heavy modules load here. */
async function mergeReport(names: readonly string[], flags: MergeFlags, context: CommandContext): Promise<CommandReport> {
  const { mergeRuns, MergeError } = await import('../analysis/merge.js');
  const inputs = await readRuns(names);
  let merged;
  try {
    merged = mergeRuns(inputs, flags.force === true);
  } catch (error) {
    if (error instanceof MergeError) {
      throw new UsageError(`${inputName(error.file)}: ${error.message}; pass --force to merge anyway`);
    }
    throw error;
  }
  const { analyze } = await import('../analysis/analyze.js');
  const { parseTarget } = await import('../grpc/target.js');
  const staticTarget = (target: string): boolean => {
    try {
      return parseTarget(target).staticAddresses !== null;
    } catch {
      return false; // merged with --force: several targets
    }
  };
  const { jsonReport } = await import('../report/json.js');
  const { renderMarkdown } = await import('../report/markdown.js');
  const { renderTable } = await import('../report/table.js');
  const { renderRunHtml } = await import('../report/html/page.js');
  const { describeFailedGates } = await import('../analysis/gates.js');
  const report = analyze(merged.result, {
    expectedBackends: flags.expectBackends ?? merged.expectedBackends,
    resolvedAddresses: merged.resolvedAddresses,
    topology: null,
    discovery: merged.discovery,
    staticTarget: staticTarget(merged.result.target),
    gates: gateLimits(flags),
  });
  const { plan } = context;
  const json = (): RunDocument => ({ ...merged.carried, ...jsonReport(report) });
  const renderings = {
    table: () => renderTable(report, { color: plan.color, width: plan.columns }),
    json: () => JSON.stringify(json(), null, plan.compactJson ? undefined : 2) + '\n',
    markdown: () => renderMarkdown(report),
    html: () => renderRunHtml(report, json()),
  };
  const exitCode = (): number => {
    const failedGates = describeFailedGates(report.gates);
    for (const line of failedGates) process.stderr.write(`grpclb-probe: ${terminalText(line)}\n`);
    return failedGates.length > 0 ? EXIT.gateFailed : EXIT.ok;
  };
  return { renderings, exitCode };
}
