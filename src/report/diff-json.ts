// The machine-readable diff of two runs (`diff -o json`), the document the HTML page embeds.
import { toolInfo } from '../tool.js';
import { SCHEMA_VERSION, type DiffDocumentV1 } from '../result/json-document.js';
import type { RunDiff } from '../result/diff.js';

/** The diff's JSON document: `schemaVersion`, `tool`, `kind: "diff"`, then the {@link RunDiff}. */
export function diffJsonReport(diff: RunDiff): DiffDocumentV1 {
  return { schemaVersion: SCHEMA_VERSION, tool: toolInfo(), kind: 'diff', ...diff };
}
