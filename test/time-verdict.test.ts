import './resolver-env.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { startProbe } from '../src/engine/probe.js';
import { Lab } from '../src/lab/topology.js';
import { ipv4Target, runCli, startServers, stopServers } from './helpers.js';

describe('the diagnosis reads the timeline (real servers)', () => {
  it('max connection age 1 s and dns_min_time_between_resolutions 1 s: a pod added at 1.5 s gets a backend-first-rpc, and the cause gives the delay', async () => {
    const lab = await Lab.start({ replicas: 3, maxConnectionAgeMs: 1000 });
    try {
      const run = startProbe({
        target: lab.headlessTarget,
        lbPolicy: 'round_robin',
        channelArgs: { 'grpc.dns_min_time_between_resolutions_ms': 1000 },
        calls: null,
        durationMs: 5000,
        concurrency: 2,
        deadlineMs: 2000,
        watchIntervalMs: 500,
      });
      let added = '';
      // Added inside the second interval, not on its edge: a first RPC in the first interval is
      // no late joiner (events.ts), so a pod added at 1.0 s raced the interval boundary.
      const timer = setTimeout(() => void lab.addBackend().then((backend) => (added = backend.name)), 1500);
      const result = await run.done;
      clearTimeout(timer);
      const report = analyze(result, { expectedBackends: null, resolvedAddresses: null, topology: null });
      const first = report.events.filter((event) => event.kind === 'backend-first-rpc');
      assert.deepEqual(first.map((event) => event.backend), [added], JSON.stringify(report.events));
      // Added at 1.5 s; connections live 1 s and re-resolution waits at least 1 s: the first RPC comes
      // within a few intervals, and not before the watch (polling every 0.5 s) could have seen it.
      const appeared = report.events.find((event) => event.kind === 'address-added');
      assert.ok(appeared !== undefined && first[0]!.atMs >= appeared.atMs - 600 && first[0]!.atMs <= 4500, `${appeared?.atMs} -> ${first[0]!.atMs}`);
      assert.match(report.diagnosis.cause, new RegExp(`^${added} (appeared in DNS at \\d+\\.\\d s and got its first RPC at \\d+\\.\\d s \\(\\d+\\.\\d s later|got its first RPC at \\d+\\.\\d s, as soon as it appeared in DNS).*grpc\\.dns_min_time_between_resolutions_ms is 1000 here\\); since \\d+\\.\\d s: `));
      assert.notEqual(report.diagnosis.verdict, 'PINNED');
    } finally {
      await lab.close();
    }
  });

  it('the lab VIP with max connection age: peer-changed events and the reconnection cause, not PINNED', async () => {
    const lab = await Lab.start({ replicas: 3, maxConnectionAgeMs: 700, clusterIpMode: 'ipvs-rr' });
    try {
      const result = await startProbe({ target: lab.vip.address, lbPolicy: null, calls: null, durationMs: 3000, concurrency: 1, deadlineMs: 2000 }).done;
      const report = analyze(result, { expectedBackends: null, resolvedAddresses: [lab.vip.address], topology: null });
      const moves = report.events.filter((event) => event.kind === 'peer-changed');
      // A connection every 0.7 s over 3 s, in turn over 3 pods: 2 to 5 moves, each to another pod.
      assert.ok(moves.length >= 2 && moves.length <= 5, `${moves.length} moves`);
      assert.ok(moves.every((event) => event.channel === 0 && event.address === lab.vip.address));
      assert.deepEqual(result.peers, [lab.vip.address]);
      assert.equal(result.rpcs.failed, 0);
      assert.notEqual(report.diagnosis.verdict, 'PINNED');
      assert.match(report.diagnosis.cause, new RegExp(`^connections are being replaced \\(max connection age or GOAWAY\\): ${moves.length} reconnections, ${result.backends.length} backends over time`));
      assert.doesNotMatch(report.diagnosis.fix ?? '', /^set max connection age/);
    } finally {
      await lab.close();
    }
  });

  it('CLI: a backend killed mid-run over a static ipv4: list is named with its time and failures, with no max-age advice', async () => {
    const servers = await startServers(3, 'static');
    const victim = servers[2]!;
    try {
      // Kill it at the first progress line, about 2 s into a 5 s run.
      const outcome = await runCli(['run', '-t', ipv4Target(servers), '--lb-policy', 'round_robin', '-z', '5s', '-c', '2', '--no-color'], {
        onStderr: (text) => {
          if (/\b[1-9]\d* RPCs in /.test(text)) victim.kill(); // the first progress line with RPCs done, not a warm-up line
        },
      });
      assert.equal(outcome.code, 0, outcome.stderr);
      const verdict = outcome.stdout.split('\n').find((line) => /^(BALANCED|PARTIAL|UNSTABLE|PINNED):/.test(line)) ?? '';
      assert.match(verdict, /static-3 stopped answering at \d+\.\d s: (\d+ RPCs? failed [A-Z_]+|no RPC failed), the others took over/);
      assert.match(outcome.stdout, /what happened:\n(.*\n)*\s+\+\d+\.\d s  static-3 answered its last RPC/);
      assert.doesNotMatch(outcome.stdout, /max connection age|blind to backends/);
    } finally {
      stopServers(servers);
    }
  });
});
