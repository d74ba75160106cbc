// The machine-readable report of one run (documented in the README, "JSON output").
import type { ProbeReport } from '../analysis/analyze.js';

/** The JSON document: the run result's fields at the top level, then the analysis. */
export function jsonReport(report: ProbeReport): object {
  return {
    ...report.result,
    resolvedAddresses: report.resolvedAddresses,
    discovery: report.discovery,
    expected: { backends: report.expected.count, from: report.expected.from, evidence: report.expected.evidence },
    skew: report.skew,
    diagnosis: report.diagnosis,
    gates: report.gates,
  };
}

/** {@link jsonReport} as pretty-printed JSON text with a trailing newline. */
export function renderJson(report: ProbeReport): string {
  return JSON.stringify(jsonReport(report), null, 2) + '\n';
}
