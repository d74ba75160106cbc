import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import type { RunResult } from '../src/result/run-result.js';
import { displayWidth, shortName, wrapLine } from '../src/report/format.js';
import { renderLabTable } from '../src/report/lab.js';
import { formatProgressLine } from '../src/report/progress.js';
import { PARTIAL_MARK, renderTable, timelineCells } from '../src/report/table.js';
import { labComparison, scaleOutReport } from './html-fixtures.js';
import { formatMs, formatPercent } from '../src/result/units.js';

const handWritten = JSON.parse(readFileSync(new URL('../fixtures/run-result.json', import.meta.url), 'utf8')) as RunResult;
const reports = {
  'the hand-written fixture': analyze(handWritten, {
    expectedBackends: 4,
    resolvedAddresses: ['10.0.0.11:50051', '10.0.0.12:50051', '10.0.0.13:50051'],
    topology: null,
    gates: { maxSkew: 1.5, minBackends: 3 },
  }),
  'the captured scale-out': scaleOutReport(),
};

function assertFits(text: string, width: number): void {
  for (const line of text.split('\n')) assert.ok(displayWidth(line) <= width, `${displayWidth(line)} > ${width}: ${JSON.stringify(line)}`);
}

/** The text without box drawing and line breaks, so a value cut over two lines is found whole. */
function flat(text: string): string {
  return text.replace(/[│┌┐└┘├┤┬┴┼─]/g, ' ').replace(/\s+/g, ' ');
}

/** `fact` in `text`, also when a table cell cut it over lines: each column read down, spaces ignored. */
function holds(text: string, fact: string): boolean {
  if (flat(text).includes(fact)) return true;
  const rows = text.split('\n').filter((line) => line.startsWith('│')).map((line) => line.split('│').slice(1, -1));
  const columns = Math.max(0, ...rows.map((cells) => cells.length));
  return Array.from({ length: columns }, (_, index) => rows.map((cells) => (cells[index] ?? '').replace(/ /g, '')).join('')).some((column) =>
    column.includes(fact.replace(/ /g, '')),
  );
}

describe('the run table in a narrow terminal', () => {
  for (const [name, report] of Object.entries(reports)) {
    for (const width of [80, 60]) {
      it(`${name} at ${width} columns: every line fits, nothing is lost`, () => {
        const text = renderTable(report, { color: true, width });
        assertFits(text, width);
        const words = flat(text);
        for (const backend of report.result.backends) {
          assert.ok(words.includes(backend.name), `${backend.name} named`);
          for (const peer of backend.peers) assert.ok(words.includes(peer), peer);
          assert.ok(words.includes(String(backend.rpcs)));
          assert.ok(words.includes(formatPercent(backend.share)));
          for (const ms of [backend.latencyMs.p50, backend.latencyMs.p95, backend.latencyMs.p99]) assert.ok(words.includes(formatMs(ms)), formatMs(ms));
        }
        assert.match(words, /\(expected, no RPC\)/);
        assert.match(words, new RegExp(`${report.diagnosis.verdict}\\S*: `));
        for (const gate of report.gates) assert.ok(words.includes(gate.display), gate.display);
        const wide = renderTable(report, { color: false });
        assert.ok(wide.split('\n').some((line) => displayWidth(line) > width), 'the wide layout would not have fitted');
      });
    }
  }

  it('marks the partial last interval and says when the timeline was folded', () => {
    const buckets = Array.from({ length: 200 }, (_, index) => ({ startMs: index * 1000, rpcs: { 'pod-a': 10, 'pod-b': 10 }, failed: 0 }));
    const long: RunResult = { ...handWritten, elapsedMs: 199_300, timeline: { intervalMs: 1000, buckets } };
    const cells = timelineCells(long, 40);
    assert.equal(cells.folded, true);
    assert.deepEqual(cells.partial, { ms: 300, rpcs: 20 });
    assert.ok(cells.series.get(handWritten.backends[0]!.name)!.length <= 39, 'one cell left for the mark');
    const text = renderTable(analyze(long, { expectedBackends: null, resolvedAddresses: null, topology: null, gates: {} }), { color: false, width: 80 });
    assertFits(text, 80);
    assert.match(text, /timeline folded: 199 intervals of 1 s shown as cells of \d+ s/);
    assert.match(text, new RegExp(`${PARTIAL_MARK} the last interval is partial \\(0\\.30 s of 1 s, 20 RPCs\\)`));
    const whole = timelineCells({ ...long, elapsedMs: 200_000 }, 400);
    assert.equal(whole.partial, null);
    assert.equal(whole.folded, false);
  });
});

describe('the lab table in a narrow terminal', () => {
  const comparison = labComparison();
  for (const width of [80, 60]) {
    it(`at ${width} columns: every line fits, every setup, pod and share is there`, () => {
      const text = renderLabTable(comparison, { color: true, width });
      assertFits(text, width);
      const words = flat(text);
      for (const outcome of comparison.setups) {
        for (const fact of [outcome.spec.setup, outcome.spec.connectsTo, outcome.report.diagnosis.verdict, formatMs(outcome.report.result.latencyMs.p50)]) {
          assert.ok(holds(text, fact), fact);
        }
        for (const backend of outcome.report.result.backends) assert.ok(words.includes(formatPercent(backend.share)));
      }
      for (const backend of comparison.backends) {
        assert.ok(words.includes(shortName(backend.name)));
        assert.ok(words.includes(backend.name), 'full names in the first line');
      }
    });
  }
});

describe('text helpers', () => {
  it('wrapLine breaks at spaces, indents the rest, cuts only words longer than a line', () => {
    assert.deepEqual(wrapLine('aaa bbb ccc', 7), ['aaa bbb', '  ccc']);
    assert.deepEqual(wrapLine('x'.repeat(12), 5, ''), ['xxxxx', 'xxxxx', 'xx']);
    assert.deepEqual(wrapLine('\u001b[1mbold\u001b[22m word', 9), ['\u001b[1mbold\u001b[22m word']);
  });
  it('plain progress lines under a title printed once do not repeat it', () => {
    const snapshot = { elapsedMs: 1000, done: 120, totalCalls: 300, durationMs: null, failed: 0, rpcsPerSecond: 120, p50Ms: 0.4, p99Ms: 1.25, backends: [{ name: 'a', rpcs: 120 }], warmingUp: false };
    assert.equal(formatProgressLine('', snapshot), '  120/300 RPCs, 120 RPC/s, 0 failed, p99 1.250 ms; a 120');
  });
});
