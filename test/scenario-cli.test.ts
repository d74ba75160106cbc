import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from './helpers.js';

describe('grpclb-probe scenario', () => {
  it('--list describes each scenario in one line', async () => {
    const { code, stdout } = await runCli(['scenario', '--list']);
    assert.equal(code, 0);
    assert.deepEqual(
      stdout.trim().split('\n').map((line) => line.split(' ')[0]),
      ['scale-out', 'rolling-restart', 'slow-pod', 'max-age', 'stream-scale-out'],
    );
  });

  it('bad input is one line naming the flag, exit 2', async () => {
    for (const args of [['scenario'], ['scenario', 'scale-out', '--drain', 'abrupt'], ['scenario', 'max-age', '--duration', '10m']]) {
      const { code, stderr } = await runCli(args);
      assert.equal(code, 2, args.join(' '));
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
    }
  });

  it('-o json: {scenario, events, setups: [{setup, lbPolicy, target, result, answer}]}', async () => {
    const { code, stdout } = await runCli(['scenario', 'max-age', '--duration', '3s', '--rps', '40', '-o', 'json', '-q']);
    assert.equal(code, 0);
    const document = JSON.parse(stdout) as { scenario: string; events: unknown[]; setups: { setup: string; result: { timeline: unknown; rpcs: { ok: number } }; answer: string }[] };
    assert.equal(document.scenario, 'max-age');
    assert.deepEqual(document.events, []);
    assert.deepEqual(document.setups.map((setup) => setup.setup), ['clusterip', 'headless-rr', 'headless-rr-max-age', 'proxy']);
    for (const setup of document.setups) {
      assert.ok(setup.result.rpcs.ok > 10 && typeof setup.answer === 'string' && setup.result.timeline !== undefined, JSON.stringify(setup.result.rpcs));
    }
  });

  it('Ctrl-C prints what was measured, tears the lab down and exits 130', async () => {
    let sent = false;
    const { code, stdout, stderr } = await runCli(['scenario', 'scale-out', '--duration', '30s', '--rps', '40'], {
      timeoutMs: 20_000,
      onStderr: (text, child) => {
        // The first progress line: the setups are running.
        if (!sent && /RPC/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    assert.equal(code, 130, stderr);
    assert.match(stdout, /interrupted: what was measured until Ctrl-C/);
    assert.match(stdout, /clusterip {2}channel default/);
  });
});
