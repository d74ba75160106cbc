// `run` without a target inside the command skeleton: the lab started, each setup probed in
// turn with its progress, and the comparison; a second signal saves the setups so far.
import type { ProbeRun } from '../engine/probe.js';
import { compareSetups, comparisonOf } from '../lab/compare.js';
import { renderLabHtml } from '../report/html/page.js';
import { renderLabJson, renderLabMarkdown, renderLabTable } from '../report/lab.js';
import { DEFAULT_SETUPS, type LabComparison, type Setup } from '../result/lab.js';
import type { CommandContext, CommandReport } from './command.js';
import { EXIT } from './errors.js';
import { startLab } from './lab.js';
import type { OutputPlan, Renderings } from './output.js';
import { loadOf, type RunFlags } from './run-flags.js';

/**
 * Compares the lab's setups under the flags' load; the lab is closed after the report is out.
 * @throws LabStartError (exit 4) when the lab cannot start.
 */
export async function runLab(flags: RunFlags, context: CommandContext): Promise<CommandReport> {
  const setups = flags.setups ?? [...DEFAULT_SETUPS];
  const started: { setup: Setup; run: ProbeRun }[] = [];
  const lab = await startLab({ replicas: flags.replicas ?? 3, clusterIpMode: flags.clusteripMode });
  context.defer(() => lab.close());
  if (flags.xdsWeights !== undefined) await lab.startXdsWeighted(flags.xdsWeights);
  // A second Ctrl-C: the setups done and the one under way, as measured so far.
  context.saveOnSecondSignal(() => {
    const runs = started.map(({ setup, run }) => ({ setup, result: run.partialResult() }));
    const rest = setups.filter((setup) => !started.some((entry) => entry.setup === setup)).map((setup) => ({ setup, reason: 'interrupted' }));
    return labRenderings(comparisonOf(lab, runs, rest, true), context.plan);
  });
  const comparison = await compareSetups(lab, setups, { ...loadOf(flags), fitIntervalToRun: flags.intervalGiven !== true, reResolveIntervalMs: flags.reResolveInterval ?? null }, context.signal, (setup, run) => {
    started.push({ setup, run });
    context.progress.follow(`lab: ${setup} (${setups.indexOf(setup) + 1}/${setups.length})`, run.snapshot);
  });
  return { renderings: labRenderings(comparison, context.plan), exitCode: () => (comparison.interrupted ? EXIT.interrupted : EXIT.ok) };
}

function labRenderings(comparison: LabComparison, plan: OutputPlan): Renderings {
  return {
    table: () => renderLabTable(comparison, { color: plan.color, width: plan.columns }),
    json: () => renderLabJson(comparison),
    markdown: () => renderLabMarkdown(comparison),
    html: () => renderLabHtml(comparison),
  };
}
