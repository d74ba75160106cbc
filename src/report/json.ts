// The machine-readable report of one run (documented in the README, "JSON output").
import { toolInfo } from '../tool.js';
import { SCHEMA_VERSION, type RunDocument } from '../result/json-document.js';
import type { ProbeReport } from '../result/report.js';

/**
 * The JSON document: `schemaVersion`, `tool` and `client` (who ran it) first, then the run
 * result's fields at the top level, then the analysis. `merge` reads these documents back.
 */
export function jsonReport(report: ProbeReport): RunDocument {
  const { client, byPeer: _byPeer, ...result } = report.result;
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: toolInfo(),
    client: client ?? null,
    ...result,
    resolvedAddresses: report.resolvedAddresses,
    discovery: report.discovery,
    expected: { backends: report.expected.count, from: report.expected.from, evidence: report.expected.evidence },
    defaultPort: report.defaultPort,
    skew: report.skew,
    diagnosis: report.diagnosis,
    gates: report.gates,
    events: report.events,
    endOfRun: report.endOfRun ?? null,
  };
}

/** How to print JSON. */
export interface JsonOptions {
  /**
   * One line (JSON Lines), as when stdout is not a terminal: `kubectl logs` of many probe
   * pods then gives one document per line for `merge`. Default: pretty, two-space indent.
   */
  readonly compact?: boolean;
}

/** {@link jsonReport} as JSON text with a trailing newline. */
export function renderJson(report: ProbeReport, options: JsonOptions = {}): string {
  return JSON.stringify(jsonReport(report), null, options.compact === true ? undefined : 2) + '\n';
}
