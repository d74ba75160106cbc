// merge on inputs that are not what it expects: long logs full of braces, an input past the size
// limit, corrupted results, the same run twice. Each ends by itself with one line naming the
// file and what is wrong (exit 2), or merges (exit 0) in time.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { badInputSuite, type BadInput } from './bad-input.js';
import { runCli } from './helpers.js';

const RUN_RESULT = new URL('../fixtures/run-result.json', import.meta.url).pathname;
const folder = mkdtempSync(join(tmpdir(), 'grpclb-probe-merge-bad-'));
const document = JSON.parse(readFileSync(RUN_RESULT, 'utf8')) as Record<string, unknown> & { backends: Record<string, unknown>[] };
const write = (name: string, text: string): string => {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
};

const notHistogram = write('not-histogram.json', JSON.stringify({ ...document, histogram: 'bm90IGEgaGlzdG9ncmFt' }));
const bareBackends = write('bare-backends.json', JSON.stringify({ ...document, backends: [{}] }));
const badBackendHistogram = write(
  'backend-histogram.json',
  `log line\n${JSON.stringify(document)}\n${JSON.stringify({ ...document, startedAt: '2026-01-01T00:00:00.000Z', backends: [{ ...document.backends[0], histogram: 42 }] })}\n`,
);
const copy = write('copy.json', readFileSync(RUN_RESULT, 'utf8'));
// A sparse file: its size is past the limit, its blocks are not on disk.
const huge = join(folder, 'huge.log');
const descriptor = openSync(huge, 'w');
ftruncateSync(descriptor, 200 * 1024 * 1024);
closeSync(descriptor);

const cases: BadInput[] = [
  { args: ['merge', notHistogram], names: /not-histogram\.json: histogram: not an hdr histogram/ },
  { args: ['merge', bareBackends], names: /bare-backends\.json: backends\[0\]\.name: not a string/ },
  { args: ['merge', badBackendHistogram], names: /backend-histogram\.json \(result 2 of 2\): backends\[0\]\.histogram: not a string/ },
  { args: ['merge', RUN_RESULT, RUN_RESULT], names: /run-result\.json: the same run as in .*run-result\.json .*count twice/ },
  { args: ['merge', RUN_RESULT, copy], names: /copy\.json: the same run as in .*run-result\.json/ },
  { args: ['merge', huge], names: /huge\.log: 200\.0 MiB is over the 128 MiB limit per input/ },
];

badInputSuite('merge: corrupted, repeated and oversized inputs (spawned)', cases);

describe('merge reads long logs in linear time (spawned)', () => {
  it('8 MB of log lines and 20,000 unclosed { around one result: merged, in time', async () => {
    const line = 'I1201 12:00:00.000000       1 controller.go:42] reconciling object default/example, nothing to do here\n';
    const braces = 'W1201 12:00:00.000000       1 handler.go:7] payload {unclosed "quote\n'.repeat(20_000);
    const logs = line.repeat(Math.ceil((8 * 1024 * 1024) / line.length));
    const file = write('kubectl.log', `${braces}${logs}${JSON.stringify(document)}\n${logs}`);
    const started = Date.now();
    const outcome = await runCli(['merge', file, '-o', 'json'], { timeoutMs: 60_000 });
    assert.equal(outcome.signal, null, 'ended by itself');
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal((JSON.parse(outcome.stdout) as { rpcs: { ok: number } }).rpcs.ok, (document.rpcs as { ok: number }).ok);
    // Quadratic took 11 s for the 8 MB alone and 22 s for the braces; linear is well under one on any machine.
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
  });
});
