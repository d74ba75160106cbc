// Two backend names alike in their first 200 characters (the cap of terminal and markdown
// names) keep a row each: the second is `…#2`; JSON keeps both names whole.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { jsonReport } from '../src/report/json.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { NAME_LIMIT, NameCaps } from '../src/report/sanitize.js';
import { renderTable } from '../src/report/table.js';
import { runFixture } from './run-fixture.js';

const PREFIX = `pod-${'x'.repeat(300)}`;
const first = `${PREFIX}-a`;
const second = `${PREFIX}-b`;

describe('names alike in their first 200 characters', () => {
  it('NameCaps: the same name the same form, the next alike one #2, all within the limit', () => {
    const caps = new NameCaps();
    const a = caps.cap(first);
    const b = caps.cap(second);
    assert.notEqual(a, b);
    assert.ok(a.endsWith('\u2026') && b.endsWith('\u2026#2'), `${a.slice(-3)} ${b.slice(-4)}`);
    assert.equal(Array.from(a).length, NAME_LIMIT);
    assert.equal(Array.from(b).length, NAME_LIMIT);
    assert.equal(caps.cap(second), b, 'stable');
    assert.equal(caps.cap('short'), 'short');
  });

  it('keep a row each in the table and in markdown, with their own counts; JSON keeps the full names', () => {
    const report = analyze(runFixture({ series: { [first]: [70], [second]: [30] } }), { expectedBackends: 2, resolvedAddresses: null, topology: null });
    const table = renderTable(report, { color: false, width: 200 });
    const rows = table.split('\n').filter((line) => line.includes('xxxxx'));
    assert.ok(rows.some((line) => /\u2026#2/.test(line) && /30\.0 %/.test(line)), table);
    assert.ok(rows.some((line) => /\u2026 /.test(line) && /70\.0 %/.test(line)), table);
    const markdown = renderMarkdown(report);
    const cells = markdown.split('\n').filter((line) => line.startsWith('| pod-'));
    assert.equal(cells.length, 2, markdown);
    assert.match(cells.find((line) => line.includes('\u2026\\#2'))!, /\| 30 \|/, 'markdown escapes the # of the suffix');
    assert.deepEqual(jsonReport(report).backends.map((backend) => backend.name), [first, second]);
  });
});
