// The markdown report of one run, for GITHUB_STEP_SUMMARY and PR comments.
import { loadLines } from './load.js';
import { formatP } from '../result/units.js';
import { bar, callText, clientConfigText, discoveryText, eventLines } from './format.js';
import { streamMarkdown } from './streams.js';
import { sourcesSummary } from './table.js';
import { xdsLines } from './xds.js';
import type { ProbeReport } from '../result/report.js';
import { countOf, formatLatencyMs, formatMs, formatPercent } from '../result/units.js';
import { capLength, escapeMarkdown, forMarkdown, forTerminal } from './sanitize.js';

/** A name for a table cell: capped, then escaped (so the cap never cuts an escape). */
function nameCell(name: string): string {
  return escapeMarkdown(capLength(name));
}

/**
 * Renders a {@link ProbeReport} as GitHub-flavoured markdown. Pure. Every string is shown
 * literally ({@link forMarkdown}): a name a server sent adds no heading, link, HTML or line.
 */
export function renderMarkdown(probeReport: ProbeReport): string {
  // Code spans and fences show escapes as typed: they get the terminal form (one line, no controls).
  const plain = forTerminal(probeReport);
  const report = forMarkdown(probeReport);
  const { result, skew, diagnosis } = report;
  const lines = [
    `### grpclb-probe: ${diagnosis.verdict}`,
    '',
    `**${diagnosis.verdict}**: ${diagnosis.cause}`,
    '',
  ];
  if (report.endOfRun?.headline) lines.push(`> **${report.endOfRun.headline}**`, '');
  if (diagnosis.fix !== null) lines.push(`Fix: ${diagnosis.fix}`, '');
  lines.push(
    `Target \`${plain.result.target}\`, LB policy ${result.lbPolicy ?? 'channel default'}, ${countOf(result.channels, 'channel')}, ` +
      `${result.rpcs.ok} ok / ${result.rpcs.failed} failed ${result.rpcs.ok + result.rpcs.failed === 1 ? 'RPC' : 'RPCs'}, ${result.rpcsPerSecond.toFixed(0)} RPC/s` +
      (result.stopReason === 'interrupted' ? ' (interrupted)' : '') +
      (report.defaultPort === null ? '' : `; no port in the target: using ${report.defaultPort}, as gRPC does`),
    '',
  );
  const client = clientConfigText(plain.result);
  if (client !== null) lines.push(`Client: \`${client}\``, '');
  const call = callText(result);
  if (call !== null) lines.push(`Call: ${call.replace(/^call /, '')}`, '');
  lines.push(
    '| backend | peers | RPCs | share | | p50 ms | p95 ms | p99 ms |',
    '| --- | --- | ---: | ---: | --- | ---: | ---: | ---: |',
  );
  for (const backend of plain.result.backends) {
    lines.push(
      `| ${nameCell(backend.name)} | ${backend.peers.map(nameCell).join(', ')} | ${backend.rpcs} | ${formatPercent(backend.share)} | ${bar(backend.share, 10)} | ${formatLatencyMs(backend.latencyMs.p50, backend.rpcs)} | ${formatLatencyMs(backend.latencyMs.p95, backend.rpcs)} | ${formatLatencyMs(backend.latencyMs.p99, backend.rpcs)} |`,
    );
  }
  if (skew.idleBackends > 0) lines.push(`| ${countOf(skew.idleBackends, 'expected backend')}, no RPC | | 0 | 0.0 % | | | | |`);
  lines.push(
    `| **all** | ${countOf(result.peers.length, 'peer')} | ${result.rpcs.ok} | | | ${formatLatencyMs(result.latencyMs.p50, result.rpcs.ok)} | ${formatLatencyMs(result.latencyMs.p95, result.rpcs.ok)} | ${formatLatencyMs(result.latencyMs.p99, result.rpcs.ok)} |`,
  );
  lines.push('', ...streamMarkdown(result));
  if (result.sources !== undefined) lines.push(sourcesSummary(result), '');
  const happened = eventLines(plain.events);
  if (happened.length > 0) lines.push('What happened:', '', '```text', ...happened, '```', '');
  // Every line of the block starts with fixed text, so no server name can close the fence.
  const told = xdsLines(plain.result.xds);
  if (told.length > 0) lines.push('```text', ...told, '```', '');
  if (skew.totalRpcs > 0) {
    lines.push(
      `Skew ${skew.skew.toFixed(2)}, CV ${skew.coefficientOfVariation.toFixed(3)}, Jain ${skew.jainIndex.toFixed(3)}` +
        (skew.chiSquare === null ? '' : `, chi-square ${formatP(skew.chiSquare.pValue)}`),
      '',
    );
  }
  if (result.serviceTimeMs !== null && result.serviceTimeMs !== undefined) {
    lines.push(
      `Latency is from each RPC's intended send time at ${result.rps === null ? 'the scheduled rate' : `${result.rps} RPC/s`}; service time (from the actual send): ` +
        `p50 ${formatMs(result.serviceTimeMs.p50)} ms, p95 ${formatMs(result.serviceTimeMs.p95)} ms, p99 ${formatMs(result.serviceTimeMs.p99)} ms` +
        `${(result.rpcs.dropped ?? 0) > 0 ? `; ${countOf(result.rpcs.dropped ?? 0, 'RPC')} dropped` : ''}.`,
      '',
    );
  }
  const load = loadLines(result);
  if (load.length > 0) lines.push('```text', ...load, '```', '');
  for (const note of diagnosis.notes) lines.push(`> note: ${note}`, '');
  if (report.discovery !== null) {
    lines.push(`Discovery: ${discoveryText(report.discovery)} (not in the statistics).`, '');
  }
  for (const gate of report.gates) {
    lines.push(`- gate \`${gate.gate}\` ${gate.passed ? 'passed' : '**failed**'}: ${gate.display}`);
  }
  if (report.gates.length > 0) lines.push('');
  return lines.join('\n') + '\n';
}
