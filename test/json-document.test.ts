import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { mergeRuns } from '../src/analysis/merge.js';
import { jsonReport } from '../src/report/json.js';
import { MERGE_RULES, SCHEMA_VERSION } from '../src/result/json-document.js';
import type { RunResult } from '../src/result/run-result.js';

const result = JSON.parse(readFileSync(new URL('../fixtures/run-result.json', import.meta.url), 'utf8')) as RunResult;

describe('the run document', () => {
  const document = jsonReport(analyze(result, { expectedBackends: null, resolvedAddresses: null, topology: null }));

  it('carries the schema version and a merge rule for every field it writes', () => {
    assert.equal(document.schemaVersion, SCHEMA_VERSION);
    const withoutRule = Object.keys(document).filter((field) => !(field in MERGE_RULES));
    assert.deepEqual(withoutRule, []);
  });

  it('merge carries a field of a later version when every input agrees, and drops it otherwise', () => {
    const later = { ...document, laterField: { a: 1 } };
    // Two pods' runs: another start, so merge does not take it for the same run given twice.
    const other = { ...later, startedAt: '2026-11-22T02:00:01.000Z' };
    const same = mergeRuns([{ file: 'a.json', document: later }, { file: 'b.json', document: other }]);
    assert.deepEqual(same.carried.laterField, { a: 1 });
    const differs = mergeRuns([{ file: 'a.json', document: later }, { file: 'b.json', document: { ...other, laterField: { a: 2 } } }]);
    assert.equal('laterField' in differs.carried, false);
    // The analysis is recomputed, never carried.
    assert.equal('diagnosis' in same.carried, false);
  });
});
