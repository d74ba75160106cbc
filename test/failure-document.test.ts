// -o json gives one JSON document for every exit but 2, failures included: a lab that cannot
// start (exit 4, spawned) and an internal error (exit 70, through the command skeleton itself).
import './resolver-env.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runReportedCommand } from '../src/cli/command.js';
import { UsageError } from '../src/cli/errors.js';
import { runCli } from './helpers.js';

const folder = mkdtempSync(join(tmpdir(), 'grpclb-probe-failure-'));
const LAB_LINE = 'the lab needs GRPC_NODE_USE_ALTERNATIVE_RESOLVER=true for its DNS server; unset it or set it to true';

describe('-o json when the command fails', () => {
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('the lab cannot start (exit 4): one document on stdout, and in --out, with stopReason and the error', async () => {
    const env = { GRPC_NODE_USE_ALTERNATIVE_RESOLVER: 'false' };
    const printed = await runCli(['run', '-o', 'json'], { env });
    assert.equal(printed.code, 4, printed.stderr);
    assert.equal(printed.stderr, `grpclb-probe: ${LAB_LINE}\n`);
    const document = JSON.parse(printed.stdout) as Record<string, unknown>;
    assert.deepEqual({ ...document, tool: undefined }, { schemaVersion: 1, tool: undefined, stopReason: 'lab-failed', exitCode: 4, error: LAB_LINE });
    const file = join(folder, 'lab.json');
    const saved = await runCli(['run', '-o', 'json', '--out', file], { env });
    assert.equal(saved.code, 4);
    assert.equal(saved.stdout, '', 'the stderr line says it: no table');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), document);
    const table = await runCli(['run'], { env });
    assert.equal(table.code, 4);
    assert.equal(table.stdout, '', 'only -o json prints a document');
  });

  it('an internal error (exit 70): the document goes to --out and the error still propagates; a usage error writes none', async () => {
    const file = join(folder, 'internal.json');
    const flags = { output: 'json', out: file, quiet: true, color: false } as const;
    await assert.rejects(
      runReportedCommand(flags as never, async () => {
        throw new TypeError('cannot read properties of undefined (reading "x")\n    at somewhere');
      }, { measures: false }),
      TypeError,
    );
    const document = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.equal(document.stopReason, 'internal-error');
    assert.equal(document.exitCode, 70);
    assert.equal(document.error, 'internal error: cannot read properties of undefined (reading "x") (set GRPCLB_PROBE_DEBUG=1 for the stack)');
    const usage = join(folder, 'usage.json');
    await assert.rejects(
      runReportedCommand({ ...flags, out: usage } as never, async () => {
        throw new UsageError('--thing: wrong');
      }, { measures: false }),
      UsageError,
    );
    assert.throws(() => readFileSync(usage), /ENOENT/, 'exit 2 prints no document');
  });
});
