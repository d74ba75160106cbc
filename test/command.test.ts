// The command skeleton (src/cli/command.ts) as every reporting command gets it: --out checked
// before any work (exit 2, nothing else printed), a failed final write (exit 74, or the
// command's own code), and a second signal that saves what was measured (exit 130).
import './resolver-env.js';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exitCodeAfterWrite } from '../src/cli/command.js';
import { UsageError } from '../src/cli/errors.js';
import { planOutput } from '../src/cli/output.js';
import { checkOutputFiles } from '../src/cli/report-files.js';
import { runCli, type CliOutcome } from './helpers.js';

const folder = mkdtempSync(join(tmpdir(), 'grpclb-probe-command-'));
const RUN_RESULT = new URL('../fixtures/run-result.json', import.meta.url).pathname;
/** A usage error is read before any work: far less than a default scenario's 12 s or a lab's start. */
const QUICK_MS = 10_000;

/** Spawns the CLI and measures how long it took, ms. */
async function timed(args: readonly string[]): Promise<CliOutcome & { elapsedMs: number }> {
  const started = Date.now();
  const outcome = await runCli(args, { timeoutMs: 60_000 });
  return { ...outcome, elapsedMs: Date.now() - started };
}

/** Exit 2, quickly, one stderr line naming --out, nothing on stdout. */
function assertOutRefused(outcome: CliOutcome & { elapsedMs: number }, path: string): void {
  assert.equal(outcome.code, 2, outcome.stderr);
  assert.deepEqual(outcome.stderr.trim().split('\n'), [`grpclb-probe: --out ${path}: folder /nonexistent does not exist`]);
  assert.equal(outcome.stdout, '', 'nothing ran');
  assert.ok(outcome.elapsedMs < QUICK_MS, `took ${outcome.elapsedMs} ms`);
}

describe('--out that cannot be written: exit 2 before any work (spawned)', { concurrency: 2 }, () => {
  it('scenario max-age (its default length is 12 s)', async () => {
    assertOutRefused(await timed(['scenario', 'max-age', '--out', '/nonexistent/x.json']), '/nonexistent/x.json');
  });

  it('run without a target: before the lab starts', async () => {
    assertOutRefused(await timed(['run', '--out', '/nonexistent/x.json']), '/nonexistent/x.json');
  });

  it('merge: before the inputs are read', async () => {
    assertOutRefused(await timed(['merge', '/nonexistent/in.json', '--out', '/nonexistent/x.json']), '/nonexistent/x.json');
  });
});

describe('--out /dev/full: the report goes to stdout, exit 74 unless the command has its own code (spawned)', () => {
  it('scenario max-age', async () => {
    const outcome = await runCli(['scenario', 'max-age', '--duration', '2s', '--rps', '20', '-q', '-o', 'json', '--out', '/dev/full'], { timeoutMs: 60_000 });
    assert.equal(outcome.code, 74, outcome.stderr);
    assert.match(outcome.stderr, /^grpclb-probe: --out \/dev\/full: cannot write: ENOSPC; the json report follows on stdout$/m);
    assert.equal(JSON.parse(outcome.stdout.slice(outcome.stdout.indexOf('\n{') + 1)).scenario, 'max-age');
  });

  it('run without a target (the lab)', async () => {
    const outcome = await runCli(['run', '--setups', 'clusterip', '--total', '20', '-q', '--out', '/dev/full'], { timeoutMs: 60_000 });
    assert.equal(outcome.code, 74, outcome.stderr);
    assert.match(outcome.stderr, /--out \/dev\/full: cannot write: ENOSPC/);
    assert.match(outcome.stdout, /clusterip/);
  });

  it('merge: 74; with a failed gate 1, the report and the gate line still printed', async () => {
    const full = await runCli(['merge', RUN_RESULT, '-o', 'json', '--out', '/dev/full']);
    assert.equal(full.code, 74, full.stderr);
    assert.ok(JSON.parse(full.stdout.slice(full.stdout.indexOf('\n{') + 1)).rpcs.ok > 0);
    const gated = await runCli(['merge', RUN_RESULT, '--min-backends', '50', '--out', '/dev/full']);
    assert.equal(gated.code, 1, gated.stderr);
    assert.match(gated.stderr, /--out \/dev\/full: cannot write: ENOSPC/);
    assert.match(gated.stderr, /gate --min-backends failed/);
    assert.match(gated.stdout, /RPCs \d+ ok/);
  });
});

describe('a second Ctrl-C on scenario (spawned)', () => {
  it('saves --out with what was measured and exits 130', async () => {
    const file = join(folder, 'second.json');
    let sent = false;
    // One pod answers 5 s late from t = 1 s: after the first SIGINT the setups wait up to their
    // 1 s deadline for the RPCs to it, and the second SIGINT lands inside that wait.
    const outcome = await runCli(['scenario', 'slow-pod', '--duration', '6s', '--rps', '40', '--slow-ms', '5000', '-o', 'json', '--out', file], {
      timeoutMs: 60_000,
      onStderr: (text, child) => {
        // A progress line from 2 s on: the pod was slowed at 1 s, so RPCs to it are in flight.
        if (sent || !/RPCs in [2-5]\/6 s/.test(text)) return;
        sent = true;
        child.kill('SIGINT');
        // Past the 300 ms in which a second signal counts as the same one, inside the 1 s wait.
        setTimeout(() => child.kill('SIGINT'), 600);
      },
    });
    assert.equal(outcome.code, 130, outcome.stderr);
    assert.match(outcome.stderr, /SIGINT again, exiting now with what was measured/);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { scenario: string; setups: { setup: string; result: { stopReason: string; rpcs: { ok: number } } }[] };
    assert.equal(saved.scenario, 'slow-pod');
    assert.deepEqual(saved.setups.map((setup) => setup.setup), ['headless-rr', 'headless-least-request', 'headless-wrr', 'proxy']);
    for (const setup of saved.setups) {
      assert.equal(setup.result.stopReason, 'interrupted');
      assert.ok(setup.result.rpcs.ok > 0, JSON.stringify(setup.result.rpcs));
    }
    assert.match(outcome.stdout, /scenario slow-pod/, 'the table printed too');
  });
});

describe('grpclb-probe lab (spawned)', () => {
  it('SIGTERM tears the lab down, exit 0', async () => {
    const outcome = await runCli(['lab', '--replicas', '2'], {
      timeoutMs: 30_000,
      onStderr: (text, child) => {
        if (text.includes('up; Ctrl-C') && !child.killed) child.kill('SIGTERM');
      },
    });
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stderr, /grpclb-probe lab: SIGTERM: torn down/);
  });
});

describe('checkOutputFiles: the path as the write resolves it', () => {
  const plan = (out: string): ReturnType<typeof planOutput> => planOutput({ output: 'json', out }, {}, { stdout: false, stderr: false });

  it('`..` after a folder that does not exist fails as open(2) fails, though the lexical path is fine', () => {
    // Written out: join() would drop the `..`.
    assert.throws(() => checkOutputFiles(plan(`${folder}/missing/../x.json`)), (error: unknown) => error instanceof UsageError && /missing\/\.\. does not exist/.test(error.message));
    mkdirSync(join(folder, 'there'), { recursive: true });
    checkOutputFiles(plan(`${folder}/there/../x.json`));
  });

  it('a dangling link is checked where it points', () => {
    const link = join(folder, 'dangling.json');
    symlinkSync(join(folder, 'gone', 'x.json'), link);
    assert.throws(() => checkOutputFiles(plan(link)), /--out .*dangling\.json: folder .*gone does not exist/);
    const good = join(folder, 'good-link.json');
    symlinkSync(join(folder, 'x.json'), good);
    checkOutputFiles(plan(good));
  });

  it('a path ending in / names a folder', () => {
    assert.throws(() => checkOutputFiles(plan(`${folder}/new/`)), /names a folder/);
  });
});

describe('exitCodeAfterWrite', () => {
  it('the command\u2019s own non-zero code wins over 74', () => {
    assert.equal(exitCodeAfterWrite(0, true), 0);
    assert.equal(exitCodeAfterWrite(0, false), 74);
    assert.equal(exitCodeAfterWrite(1, false), 1);
    assert.equal(exitCodeAfterWrite(130, false), 130);
  });
});

describe('main: a finished command ends its process, and only main does', () => {
  // What a library leaves behind (grpc-js-xds's 15 s resource timer, a waitForReady deadline)
  // must not hold a finished command's process: main ends it LINGER_MS later with its code.
  it('a ref\u2019d 30 s timer left behind: the process exits with the command\u2019s code, not 30 s later', async () => {
    const script = "import { main } from './src/cli/main.ts'; setTimeout(() => {}, 30000); await main(['run', '--total', 'many']);";
    const started = Date.now();
    const outcome = await runCli(['--import', 'tsx', '--input-type=module', '-e', script], { command: [process.execPath], timeoutMs: 20_000 });
    assert.equal(outcome.signal, null, 'ended by itself');
    assert.equal(outcome.code, 2, outcome.stderr);
    assert.ok(Date.now() - started < 15_000, `ended after ${Date.now() - started} ms`);
  });

  // Tests run commands in-process through buildProgram: ending that process would cut a test
  // file short, and node:test would count what ran as a pass.
  it('a command run in-process through buildProgram leaves its process running', async () => {
    const script =
      "import { buildProgram } from './src/cli/main.ts'; const program = await buildProgram(); program.exitOverride(); " +
      "await program.parseAsync(['manifests', '--replicas', '2'], { from: 'user' }).catch(() => {}); " +
      "await new Promise((resolve) => setTimeout(resolve, 600)); process.stderr.write('still running\\n');";
    const outcome = await runCli(['--import', 'tsx', '--input-type=module', '-e', script], { command: [process.execPath], timeoutMs: 20_000 });
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stderr, /still running/);
  });
});
