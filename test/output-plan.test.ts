import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planOutput } from '../src/cli/output.js';

const tty = { stdout: true, stderr: true };
const piped = { stdout: false, stderr: false };

describe('planOutput', () => {
  it('shows the live view and colors on a terminal', () => {
    const plan = planOutput({ output: 'table' }, {}, tty);
    assert.equal(plan.live, true);
    assert.equal(plan.color, true);
    assert.equal(plan.liveColor, true);
  });

  it('falls back to plain progress without a terminal (kubectl exec without -t), in CI, for JSON and when quiet', () => {
    assert.equal(planOutput({ output: 'table' }, {}, piped).live, false);
    assert.equal(planOutput({ output: 'table' }, {}, piped).color, false);
    assert.equal(planOutput({ output: 'table' }, { CI: 'true' }, tty).live, false);
    assert.equal(planOutput({ output: 'json' }, {}, tty).live, false);
    const quiet = planOutput({ output: 'table', quiet: true }, {}, tty);
    assert.equal(quiet.live, false);
    assert.equal(quiet.quiet, true);
  });

  it('honours NO_COLOR and --no-color everywhere', () => {
    for (const plan of [planOutput({ output: 'table' }, { NO_COLOR: '1' }, tty), planOutput({ output: 'table', color: false }, {}, tty)]) {
      assert.equal(plan.color, false);
      assert.equal(plan.liveColor, false);
      assert.equal(plan.live, true, 'the live view stays, without colors');
    }
    assert.equal(planOutput({ output: 'table' }, { NO_COLOR: '' }, tty).color, true, 'an empty NO_COLOR does not count');
  });

  it('appends to GITHUB_STEP_SUMMARY when it is set', () => {
    assert.equal(planOutput({ output: 'table' }, { GITHUB_STEP_SUMMARY: '/tmp/summary.md' }, piped).stepSummary, '/tmp/summary.md');
    assert.equal(planOutput({ output: 'table' }, {}, piped).stepSummary, null);
  });
});

describe('planOutput and -o html', () => {
  it('needs --out: a page is a file, not terminal text', () => {
    assert.throws(() => planOutput({ output: 'html' }, {}, tty), /-o html needs --out FILE/);
    assert.equal(planOutput({ output: 'html', out: 'report.html' }, {}, tty).format, 'html');
  });
});

describe('planOutput: terminal size, TERM=dumb, FORCE_COLOR', () => {
  it('fits stdout\'s columns, else COLUMNS, else 80; the live view stderr\'s rows, else LINES, else 24', () => {
    assert.equal(planOutput({ output: 'table' }, { COLUMNS: '120' }, { ...tty, columns: 100, rows: 40 }).columns, 100);
    assert.equal(planOutput({ output: 'table' }, { COLUMNS: '120' }, piped).columns, 120);
    assert.equal(planOutput({ output: 'table' }, { COLUMNS: 'wide' }, piped).columns, 80);
    assert.equal(planOutput({ output: 'table' }, {}, { ...tty, rows: 40 }).rows, 40);
    assert.equal(planOutput({ output: 'table' }, { LINES: '30' }, piped).rows, 30);
    assert.equal(planOutput({ output: 'table' }, {}, piped).rows, 24);
  });
  it('gives TERM=dumb the plain progress lines and no colors (unless FORCE_COLOR)', () => {
    assert.equal(planOutput({ output: 'table' }, { TERM: 'dumb' }, tty).live, false);
    assert.equal(planOutput({ output: 'table' }, { TERM: 'dumb' }, tty).color, false, 'a dumb terminal shows escape codes as text');
    assert.equal(planOutput({ output: 'table' }, { TERM: 'dumb', FORCE_COLOR: '1' }, tty).color, true);
  });
  it('FORCE_COLOR=0 turns colors off, FORCE_COLOR=1 on even in a pipe; --no-color wins', () => {
    const off = planOutput({ output: 'table' }, { FORCE_COLOR: '0' }, tty);
    assert.equal(off.color, false);
    assert.equal(off.liveColor, false);
    assert.equal(planOutput({ output: 'table' }, { FORCE_COLOR: '1' }, piped).color, true);
    assert.equal(planOutput({ output: 'table' }, { FORCE_COLOR: '1', NO_COLOR: '1' }, piped).color, true, 'FORCE_COLOR is the more specific ask');
    assert.equal(planOutput({ output: 'table', color: false }, { FORCE_COLOR: '1' }, tty).color, false);
  });
});
