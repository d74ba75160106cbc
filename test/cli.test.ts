import './resolver-env.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProbe } from '../src/engine/probe.js';
import type { GreeterServer } from '../src/server/greeter.js';
import { ipv4Target, runCli, startServers, stopServers } from './helpers.js';

describe('grpclb-probe run --target (spawned)', () => {
  let servers: GreeterServer[];
  before(async () => {
    servers = await startServers(3, 'cli');
  });
  after(() => stopServers(servers));

  it('prints a table with one row per backend and exits 0', async () => {
    const outcome = await runCli(['run', '--target', ipv4Target(servers), '--lb-policy', 'round_robin', '--total', '90']);
    assert.equal(outcome.code, 0, outcome.stderr);
    for (const server of servers) {
      assert.match(outcome.stdout, new RegExp(`${server.hostname}\\s*│\\s*${server.address.replace(/\./g, '\\.')}`));
    }
    assert.match(outcome.stdout, /RPCs 90 ok, 0 failed/);
    assert.match(outcome.stdout, /BALANCED/);
    assert.doesNotMatch(outcome.stdout, /\u001b\[/, 'no color when stdout is not a terminal');
  });

  it('--output json prints a parseable result with the documented fields', async () => {
    const outcome = await runCli(['run', '-t', ipv4Target(servers), '--lb-policy', 'pick_first', '--total', '60', '--output', 'json']);
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.equal(json.target, ipv4Target(servers));
    assert.equal(json.lbPolicy, 'pick_first');
    assert.equal(json.stopReason, 'completed');
    assert.deepEqual(json.rpcs, { total: 60, ok: 60, failed: 0, byStatus: { OK: 60 }, warmup: 0, dropped: 0 });
    assert.equal(json.backends.length, 1);
    assert.equal(json.backends[0].rpcs, 60);
    assert.equal(json.backends[0].share, 1);
    assert.deepEqual(Object.keys(json.backends[0].latencyMs).sort(), ['max', 'mean', 'p50', 'p90', 'p95', 'p99', 'p999']);
    assert.equal(json.peers.length, 1);
    assert.ok(json.elapsedMs > 0 && json.rpcsPerSecond > 0);
    assert.equal(json.diagnosis.verdict, 'PINNED');
  });

  it('reports lbPolicy null for the channel default', async () => {
    const outcome = await runCli(['run', '-t', servers[0]!.address, '--total', '10', '-o', 'json']);
    assert.equal(JSON.parse(outcome.stdout).lbPolicy, null);
  });

  it('exits 2 with a one-line error naming the flag for bad input', async () => {
    for (const args of [
      ['run', '--total', 'many'],
      ['run', '-t', '127.0.0.1:1', '--total', '5', '--duration', '1s'],
      ['run', '-t', '127.0.0.1:1', '--channels', '4', '--concurrency', '2'],
      ['run', '-t', '127.0.0.1:1', '--lb-policy', 'grpclb'],
      ['serve', '--port', '70000'],
    ]) {
      const outcome = await runCli(args);
      assert.equal(outcome.code, 2, `${args.join(' ')}: ${outcome.stderr}`);
      const lines = outcome.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${outcome.stderr}`);
      assert.match(lines[0]!, /--(total|duration|channels|lb-policy|port)/);
      assert.doesNotMatch(outcome.stderr, /at .*\.js:\d+/, 'no stack trace');
    }
  });

  it('exits 3 naming the last connection error when the target cannot be connected to', async () => {
    const outcome = await runCli(['run', '-t', '127.0.0.1:1', '--total', '5', '--connect-timeout', '1s', '-q']);
    assert.equal(outcome.code, 3);
    assert.match(outcome.stderr, /cannot connect to 127\.0\.0\.1:1 within [\d.]+ s \(--connect-timeout\): 14 UNAVAILABLE: No connection established\. Last error: (Error: )?connect ECONNREFUSED 127\.0\.0\.1:1/);
    assert.equal(outcome.stderr.trim().split('\n').length, 1, outcome.stderr);
  });

  it('exits 1 naming the gate, limit and measured value when a gate fails', async () => {
    const outcome = await runCli(['run', '-t', ipv4Target(servers), '--total', '30', '--expect-backends', '3', '--expect', 'balanced', '--max-skew', '1.5']);
    assert.equal(outcome.code, 1);
    assert.match(outcome.stderr, /gate --expect failed: expected BALANCED, got PINNED/);
    assert.match(outcome.stderr, /gate --max-skew failed: limit <= 1.5, measured 3.00/);
  });

  it('--out writes the chosen format to a file while the table still prints', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'grpclb-probe-')), 'report.md');
    const summary = join(mkdtempSync(join(tmpdir(), 'grpclb-probe-')), 'summary.md');
    const outcome = await runCli(['run', '-t', ipv4Target(servers), '--lb-policy', 'round_robin', '--total', '30', '-o', 'markdown', '--out', file], {
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(readFileSync(file, 'utf8'), /^### grpclb-probe: BALANCED\n/);
    assert.match(outcome.stdout, /^target ipv4:/);
    assert.match(outcome.stdout, /RPCs 30 ok, 0 failed/);
    assert.match(readFileSync(summary, 'utf8'), /### grpclb-probe: BALANCED/);
    const json = join(mkdtempSync(join(tmpdir(), 'grpclb-probe-')), 'report.json');
    const jsonOutcome = await runCli(['run', '-t', ipv4Target(servers), '--total', '20', '-o', 'json', '--out', json]);
    assert.equal(JSON.parse(readFileSync(json, 'utf8')).rpcs.total, 20);
    assert.match(jsonOutcome.stdout, /RPCs 20 ok/);
  });

  it('--version and --help exit 0', async () => {
    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    const help = await runCli(['run', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit codes:/);
    assert.match(help.stdout, /--lb-policy/);
  });
});

describe('grpclb-probe serve (spawned)', () => {
  it('drains on SIGTERM: the RPC in flight succeeds and the process exits 0', async () => {
    let rpc: ReturnType<typeof runProbe> | undefined;
    const outcome = await runCli(['serve', '--host', '127.0.0.1', '--port', '0', '--hostname', 'drainer', '--delay-ms', '1000'], {
      onStderr: (text, child) => {
        const match = /listening on (127\.0\.0\.1:\d+)/.exec(text);
        if (match !== null && rpc === undefined) {
          rpc = runProbe({ target: match[1]!, lbPolicy: null, calls: 1, durationMs: null, concurrency: 1, deadlineMs: 5000 });
          setTimeout(() => child.kill('SIGTERM'), 400);
        }
      },
    });
    assert.ok(rpc !== undefined, outcome.stderr);
    const result = await rpc;
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.equal(result.rpcs.ok, 1, JSON.stringify(result.errors));
    assert.equal(result.backends[0]?.name, 'drainer');
    assert.match(outcome.stderr, /SIGTERM: draining/);
    assert.match(outcome.stderr, /stopped: drained/);
  });

  it('exits 2 naming the address when the port is in use', async () => {
    const [server] = await startServers(1, 'busy');
    try {
      const outcome = await runCli(['serve', '--host', '127.0.0.1', '--port', String(server!.port)]);
      assert.equal(outcome.code, 2);
      assert.match(outcome.stderr, new RegExp(`--port/--host: cannot listen on 127\\.0\\.0\\.1:${server!.port}: address already in use`));
    } finally {
      stopServers([server!]);
    }
  });
});

describe('interrupting a run (spawned)', () => {
  it('Ctrl-C prints and saves the partial report, marked interrupted, and exits 130; progress lines are plain', async () => {
    const slow = await startServers(1, 'slow', { delayMs: 100 });
    const file = join(mkdtempSync(join(tmpdir(), 'grpclb-probe-')), 'partial.json');
    try {
      const outcome = await runCli(['run', '-t', slow[0]!.address, '--total', '1000', '-o', 'json', '--out', file], {
        onStderr: (text, child) => {
          if (/RPCs, \d+ RPC\/s/.test(text) && !/warming up/.test(text) && !child.killed) child.kill('SIGINT');
        },
      });
      assert.equal(outcome.code, 130, outcome.stderr);
      const json = JSON.parse(readFileSync(file, 'utf8'));
      assert.equal(json.stopReason, 'interrupted');
      assert.ok(json.rpcs.ok > 0 && json.rpcs.ok < 1000, `ok ${json.rpcs.ok}`);
      assert.equal(json.rpcs.failed, 0, 'the RPC in flight was let finish');
      assert.match(outcome.stdout, new RegExp(`RPCs ${json.rpcs.ok} ok, 0 failed`), 'the table prints the same partial counts');
      assert.match(outcome.stdout, /interrupted: partial results/);
      // The target once, then short lines under it.
      assert.match(outcome.stderr, new RegExp(`^${slow[0]!.address.replace(/\./g, '\\.')}\n  \\d+/1000 RPCs`, 'm'));
      assert.doesNotMatch(outcome.stderr, /\u001b\[/, 'no escape codes without a terminal');
    } finally {
      stopServers(slow);
    }
  });

  it('--quiet prints no progress at all', async () => {
    const slow = await startServers(1, 'quiet', { delayMs: 20 });
    try {
      const outcome = await runCli(['run', '-t', slow[0]!.address, '--duration', '2500ms', '--quiet']);
      assert.equal(outcome.code, 0, outcome.stderr);
      assert.equal(outcome.stderr, '');
      assert.match(outcome.stdout, /quiet-1\s*│/);
    } finally {
      stopServers(slow);
    }
  });
});

describe('grpclb-probe lab (spawned)', () => {
  it('exits 4 naming the address when a lab port cannot be bound, leaving nothing running', async () => {
    const blocker = await startServers(1, 'blocker', { host: '127.0.10.2' });
    try {
      const outcome = await runCli(['lab', '--port', String(blocker[0]!.port)], { timeoutMs: 10_000 });
      assert.equal(outcome.code, 4, outcome.stderr);
      assert.equal(outcome.signal, null, 'it exited by itself');
      assert.match(outcome.stderr, new RegExp(`lab failed to start: cannot listen on 127\\.0\\.10\\.2:${blocker[0]!.port}: address already in use`));
      assert.equal(outcome.stderr.trim().split('\n').length, 1);
    } finally {
      stopServers(blocker);
    }
  });
});
