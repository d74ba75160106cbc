// The table-driven bad-input check shared by test/bad-input-*.test.ts: spawn the CLI for each
// case, a few at a time, and hold every bad input to the same rule (issue 14).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from './helpers.js';

/** One bad input and what must happen. */
export interface BadInput {
  readonly args: readonly string[];
  /** Must match the one stderr line: the flag (or thing) at fault. */
  readonly names: RegExp;
  /** Default 2 (usage). */
  readonly code?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** Generous for a loaded 2-core machine (npm test runs 3 files at once): a usage error must not wait on the network or a run. */
const TIME_BOUND_MS = 45_000;

/** Registers one test per case, run three at a time. */
export function badInputSuite(title: string, cases: readonly BadInput[]): void {
  describe(title, { concurrency: 3 }, () => {
    for (const bad of cases) {
      it(bad.args.join(' '), async () => {
        const started = Date.now();
        const outcome = await runCli(bad.args, { env: bad.env, timeoutMs: TIME_BOUND_MS + 5000 });
        const elapsedMs = Date.now() - started;
        assert.equal(outcome.signal, null, `ended by itself: ${outcome.stderr}`);
        assert.equal(outcome.code, bad.code ?? 2, outcome.stderr);
        const lines = outcome.stderr.trim().split('\n');
        assert.equal(lines.length, 1, `one line on stderr: ${outcome.stderr}`);
        assert.match(lines[0]!, /^grpclb-probe: /);
        assert.match(lines[0]!, bad.names);
        assert.doesNotMatch(outcome.stderr, /^\s+at /m, 'no stack trace');
        assert.ok(elapsedMs < TIME_BOUND_MS, `took ${elapsedMs} ms`);
      });
    }
  });
}
