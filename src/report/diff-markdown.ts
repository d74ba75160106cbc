// A diff of two runs as GitHub-flavoured markdown, for a PR comment on a fix or a rollout.
import { backendRows, figureRows, improvementLine, sideLine } from './diff-table.js';
import { escapeMarkdown, forTerminal } from './sanitize.js';
import type { RunDiff } from '../result/diff.js';

/** Renders a {@link RunDiff} as markdown: the improvement first, then the figures and the backends. Pure. */
export function renderDiffMarkdown(unsafe: RunDiff): string {
  const diff = forTerminal(unsafe);
  const cell = escapeMarkdown;
  const lines = [
    `### grpclb-probe diff: ${diff.before.verdict} -> ${diff.after.verdict}`,
    '',
    `**${cell(improvementLine(diff))}**`,
    '',
    `- ${cell(sideLine('before', diff.before))}`,
    `- ${cell(sideLine('after', diff.after))}`,
    '',
    '| | before | after | change |',
    '| --- | ---: | ---: | ---: |',
    ...figureRows(diff).map((row) => `| ${row.label} | ${row.before} | ${row.after} | ${row.change} |`),
    '',
    '| backend | | before | after | share change | p50/p99 ms |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...backendRows(diff).map((row) => `| ${cell(row.name)} | ${row.mark} | ${row.before} | ${row.after} | ${row.change} | ${row.latency} |`),
    '',
  ];
  if (diff.targetsDiffer) lines.push(`> note: different targets, compared with --force`, '');
  return lines.join('\n') + '\n';
}
