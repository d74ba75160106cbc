import './resolver-env.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { diffRuns, DiffError, improvementsOf, type DiffInput } from '../src/analysis/diff.js';
import type { DiffDocumentV1 } from '../src/result/json-document.js';
import { renderDiffMarkdown } from '../src/report/diff-markdown.js';
import { renderDiffTable } from '../src/report/diff-table.js';
import { renderDiffHtml } from '../src/report/html/page.js';
import { jsonReport } from '../src/report/json.js';
import { ipv4Target, runCli, startServers, stopServers } from './helpers.js';
import { runFixture } from './run-fixture.js';
import type { GreeterServer } from '../src/server/greeter.js';

/** A run document as `run -o json` writes it: RPCs per backend per 1 s interval, judged over `expected` backends. */
function runDocument(series: Record<string, number[]>, options: { expected?: number; failed?: number[]; target?: string; latencyUs?: number } = {}): DiffInput['document'] {
  const result = runFixture({ series, failed: options.failed, target: options.target, latencyUs: options.latencyUs });
  const report = analyze(result, { expectedBackends: options.expected ?? null, resolvedAddresses: null, topology: null });
  return JSON.parse(JSON.stringify(jsonReport(report))) as DiffInput['document'];
}

const pinned = runDocument({ 'greeter-a': [100, 100] }, { expected: 3, latencyUs: 2000 });
const balanced = runDocument({ 'greeter-a': [34, 33], 'greeter-b': [33, 34], 'greeter-c': [33, 33] }, { expected: 3 });

describe('diff (pure)', () => {
  it('pinned -> balanced: improved twice over, backends joined by name, new ones marked', () => {
    const diff = diffRuns({ file: 'before.json', document: pinned }, { file: 'after.json', document: balanced });
    assert.equal(diff.before.verdict, 'PINNED');
    assert.equal(diff.after.verdict, 'BALANCED');
    assert.deepEqual(diff.improvements, ['skew-fell', 'now-balanced']);
    assert.ok(Math.abs((diff.before.skew ?? 0) - 3) < 1e-9, `before skew ${diff.before.skew}`);
    assert.ok((diff.changes.skew ?? 0) < -1.9, `skew change ${diff.changes.skew}`);
    assert.ok((diff.changes.jainIndex ?? 0) > 0.6);
    assert.deepEqual(diff.backends.map((backend) => [backend.name, backend.presence]), [
      ['greeter-a', 'both'],
      ['greeter-b', 'new'],
      ['greeter-c', 'new'],
    ]);
    const [a, b] = diff.backends;
    assert.ok(Math.abs(a!.shareChange - (67 / 200 - 1)) < 1e-9, `greeter-a change ${a!.shareChange}`);
    assert.equal(b!.before, null);
    assert.ok(Math.abs(diff.changes.p50Ms - (1 - 2)) < 0.01, `p50 change ${diff.changes.p50Ms}`);
    assert.equal(diff.targetsDiffer, false);
  });

  it('balanced -> pinned: nothing improved, the backends that left are gone', () => {
    const diff = diffRuns({ file: 'a', document: balanced }, { file: 'b', document: pinned });
    assert.deepEqual(diff.improvements, []);
    assert.deepEqual(diff.backends.filter((backend) => backend.presence === 'gone').map((backend) => backend.name), ['greeter-b', 'greeter-c']);
    assert.equal(diff.changes.verdictChanged, true);
  });

  it('the error rate before and after, from ok and failed RPCs', () => {
    const failing = runDocument({ 'greeter-a': [50, 50] }, { failed: [20, 0] });
    const diff = diffRuns({ file: 'a', document: failing }, { file: 'b', document: runDocument({ 'greeter-a': [50, 50] }) });
    assert.ok(Math.abs(diff.before.errorRate - 20 / 120) < 1e-9, `before ${diff.before.errorRate}`);
    assert.equal(diff.after.errorRate, 0);
    assert.ok(Math.abs(diff.changes.errorRate + 20 / 120) < 1e-9);
  });

  it('a verdict that stays PARTIAL with a lower skew is improved (skew fell); equal skews are not', () => {
    const side = (verdict: 'PARTIAL' | 'BALANCED' | 'UNSTABLE', skew: number | null) => ({ ...diffRuns({ file: 'a', document: pinned }, { file: 'b', document: pinned }).before, verdict, skew });
    assert.deepEqual(improvementsOf(side('PARTIAL', 2), side('PARTIAL', 1.5)), ['skew-fell']);
    assert.deepEqual(improvementsOf(side('PARTIAL', 1.5), side('PARTIAL', 1.5)), []);
    assert.deepEqual(improvementsOf(side('UNSTABLE', null), side('BALANCED', 1)), [], 'UNSTABLE -> BALANCED is not the improvement the rule names');
    assert.deepEqual(improvementsOf(side('PARTIAL', 1.1), side('BALANCED', 1.2)), ['now-balanced']);
  });

  it('different targets need force', () => {
    const other = runDocument({ 'greeter-a': [10] }, { target: 'dns:///other:50051' });
    assert.throws(() => diffRuns({ file: 'a', document: pinned }, { file: 'b', document: other }), (error: unknown) => error instanceof DiffError && error.file === 'b');
    assert.equal(diffRuns({ file: 'a', document: pinned }, { file: 'b', document: other }, true).targetsDiffer, true);
  });
});

describe('diff reporters', () => {
  const diff = diffRuns({ file: 'before.json', document: pinned }, { file: 'after.json', document: { ...balanced, backends: balanced.backends.map((backend, index) => (index === 2 ? { ...backend, name: 'evil\u001b[2J|`x`' } : backend)) } });
  it('table: figures before, after and change; new backends marked; the escape code of a server name defused', () => {
    const text = renderDiffTable(diff, { color: false });
    assert.match(text, /verdict\s*│ PINNED\s*│ BALANCED\s*│ changed/);
    assert.match(text, /skew\s*│ 3\.00\s*│ 1\.0\d\s*│ -1\.9\d/);
    assert.match(text, /greeter-b\s*│ new/);
    assert.match(text, /improved: skew fell from 3\.00 to 1\.0\d; the verdict moved from PINNED to BALANCED/);
    assert.ok(!text.includes('\u001b'), 'no escape code reaches the terminal');
    assert.match(text, /evil\\x1b\[2J/);
  });
  it('markdown: the improvement first, a row per figure and per backend, server text escaped', () => {
    const text = renderDiffMarkdown(diff);
    assert.match(text, /^### grpclb-probe diff: PINNED -> BALANCED/);
    assert.match(text, /\| Jain \| 0\.333 \| 1\.000 \| \+0\.667 \|/);
    assert.ok(text.includes('| evil\\\\x1b\\[2J\\|\\`x\\` | new |'), text);
  });
  it('html: the diff document embedded once, with a spectrum per run', () => {
    const page = renderDiffHtml(diff, { before: pinned.histogram, after: balanced.histogram });
    const data = /<script type="application\/json" id="grpclb-probe-data">(.*?)<\/script>/s.exec(page)?.[1];
    const embedded = JSON.parse(data ?? 'null') as { kind: string; report: DiffDocumentV1; spectrum: { series: Record<string, number[]> } };
    assert.equal(embedded.kind, 'diff');
    assert.equal(embedded.report.kind, 'diff');
    assert.deepEqual(embedded.report.improvements, ['skew-fell', 'now-balanced']);
    assert.deepEqual(Object.keys(embedded.spectrum.series), ['before', 'after']);
  });
});

describe('diff (CLI)', () => {
  let servers: GreeterServer[];
  let dir: string;
  let beforeFile: string;
  let afterFile: string;
  before(async () => {
    servers = await startServers(3, 'diff');
    dir = mkdtempSync(join(tmpdir(), 'grpclb-probe-diff-'));
    const target = ipv4Target(servers);
    const [first, second] = await Promise.all([
      runCli(['run', '-t', target, '--lb-policy', 'pick_first', '-n', '60', '--expect-backends', '3', '-o', 'json']),
      runCli(['run', '-t', target, '--lb-policy', 'round_robin', '-n', '60', '--expect-backends', '3', '-o', 'json']),
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.code, 0, second.stderr);
    beforeFile = join(dir, 'before.json');
    afterFile = join(dir, 'after.json');
    writeFileSync(beforeFile, first.stdout);
    writeFileSync(afterFile, second.stdout);
  });
  after(() => {
    stopServers(servers ?? []);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('pick_first then round_robin: PINNED -> BALANCED, --expect-improved passes; the other way round it fails with exit 1', async () => {
    const forward = await runCli(['diff', beforeFile, afterFile, '--expect-improved', '-o', 'json']);
    assert.equal(forward.code, 0, forward.stderr);
    const document = JSON.parse(forward.stdout) as DiffDocumentV1;
    assert.equal(document.before.verdict, 'PINNED');
    assert.equal(document.after.verdict, 'BALANCED');
    assert.ok(document.improvements.includes('now-balanced'));
    assert.equal(document.backends.length, 3);
    assert.deepEqual(document.backends.filter((backend) => backend.presence === 'new').length, 2, 'pick_first reached one of the three');
    const backward = await runCli(['diff', afterFile, beforeFile, '--expect-improved']);
    assert.equal(backward.code, 1, backward.stderr);
    assert.match(backward.stdout, /not improved/);
    assert.match(backward.stderr, /^grpclb-probe: gate --expect-improved failed: not improved/m);
  });

  it('bad input: a file with no result, a missing file, two results in one file, different targets: one line, exit 2', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a result\n{"a": 1}\n');
    const two = join(dir, 'two.jsonl');
    writeFileSync(two, JSON.stringify(pinned) + '\n' + JSON.stringify(pinned) + '\n');
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify(runDocument({ x: [5] }, { target: 'dns:///elsewhere:50051' })));
    const cases: [string[], RegExp][] = [
      [['diff', text, afterFile], /notes\.txt: no grpclb-probe run result \(JSON\) found/],
      [['diff', beforeFile, join(dir, 'missing.json')], /missing\.json: cannot read: ENOENT/],
      [['diff', two, afterFile], /two\.jsonl: 2 run results; diff compares one with one/],
      [['diff', beforeFile, other], /other\.json: target dns:\/\/\/elsewhere:50051 differs from .*; pass --force/],
      [['diff', beforeFile], /missing required argument 'after'/],
    ];
    const outcomes = await Promise.all(cases.map(([args]) => runCli(args)));
    outcomes.forEach((outcome, index) => {
      assert.equal(outcome.code, 2, `${cases[index]![0].join(' ')}: ${outcome.stderr}`);
      assert.match(outcome.stderr, cases[index]![1]);
      assert.equal(outcome.stderr.trim().split('\n').length, 1, outcome.stderr);
    });
    const forced = await runCli(['diff', beforeFile, other, '--force', '-o', 'markdown']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /different targets, compared with --force/);
  });
});
