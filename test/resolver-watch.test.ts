import './resolver-env.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { startProbe, type ProbeOptions } from '../src/engine/probe.js';
import { startResolverWatch, watchableTarget } from '../src/grpc/resolver-watch.js';
import { Lab } from '../src/lab/topology.js';
import { runCli } from './helpers.js';

const load = { calls: null, concurrency: 2, deadlineMs: 2000, watchIntervalMs: 500, lbPolicy: 'round_robin' } as const;

/** Runs `options` and calls `during` once, `atMs` after the run started. */
async function runWith(options: ProbeOptions, atMs: number, during: () => unknown) {
  const run = startProbe(options);
  const timer = setTimeout(during, atMs);
  const result = await run.done;
  clearTimeout(timer);
  return result;
}

describe('which targets are watched', () => {
  it('names are; IP literals, ipv4:, ipv6: and unix: are not', () => {
    assert.equal(watchableTarget('dns:///greeter.ns:50051')?.host, 'greeter.ns');
    assert.equal(watchableTarget('dns://127.0.0.1:5353/greeter.ns:50051')?.dnsServer, '127.0.0.1:5353');
    assert.equal(watchableTarget('greeter.ns:50051')?.host, 'greeter.ns');
    for (const target of ['10.0.0.1:50051', 'dns:///10.0.0.1:50051', '[::1]:50051', 'ipv4:10.0.0.1:1,10.0.0.2:1', 'ipv6:[::1]:1', 'unix:/tmp/s.sock']) {
      assert.equal(watchableTarget(target), null, target);
    }
    assert.equal(startResolverWatch('dns:///greeter.ns:50051', 0), null);
  });
});

describe('the resolver watch during a run (lab DNS, records changed mid-run)', () => {
  let lab: Lab;
  before(async () => {
    lab = await Lab.start({ replicas: 3 });
  });
  after(() => lab.close());

  it('a pod added at 1 s: address-added within an interval, and round_robin without max age never sends it an RPC', async () => {
    let address = '';
    const result = await runWith({ ...load, target: lab.headlessTarget, durationMs: 3000 }, 1000, async () => {
      address = (await lab.addBackend()).address;
    });
    const report = analyze(result, { expectedBackends: null, resolvedAddresses: null, topology: null });
    const added = report.events.filter((event) => event.kind === 'address-added');
    assert.deepEqual(added.map((event) => event.address), [address]);
    // Added at 1 s, watched every 0.5 s: seen between 1 s and 1 s + an interval, with an interval of slack for a loaded machine.
    assert.ok(added[0]!.atMs >= 900 && added[0]!.atMs <= 2100, `seen at ${added[0]!.atMs}`);
    assert.ok(!result.peers.includes(address), 'round_robin re-resolves only when a connection drops');
    assert.equal(result.backends.length, 3);
    assert.equal(report.diagnosis.verdict, 'PARTIAL');
    assert.match(report.diagnosis.cause, new RegExp(`^${address.replace(/\./g, '\\.')} appeared in DNS at \\d+\\.\\d s and got no RPC: round_robin resolved once`));
    await lab.removeBackend(lab.backends.at(-1)!.name, 'abrupt');
  });

  it('a DNS server that stops answering is a resolver-error event, and the run completes', async () => {
    const result = await runWith({ ...load, target: lab.headlessTarget, durationMs: 2500 }, 700, () => {
      lab.dns.answering = false;
    });
    lab.dns.answering = true;
    const report = analyze(result, { expectedBackends: null, resolvedAddresses: null, topology: null });
    assert.equal(result.stopReason, 'duration');
    assert.ok(result.rpcs.ok > 0);
    const failures = report.events.filter((event) => event.kind === 'resolver-error');
    assert.equal(failures.length, 1, JSON.stringify(report.events));
    assert.match(failures[0]!.detail, /DNS lookup of greeter-headless\.default\.svc\.cluster\.local failed: (ETIMEOUT|timed out)/);
    assert.ok((result.resolverWatch?.failures ?? 0) >= 1);
    assert.equal(report.diagnosis.verdict, 'BALANCED');
  });

  it('CLI: --watch-interval 0 has no watch; the default follows the TTL and the JSON has events at the top level', async () => {
    const off = await runCli(['run', '-t', lab.headlessTarget, '--lb-policy', 'round_robin', '-n', '30', '--watch-interval', '0', '-o', 'json']);
    assert.equal(off.code, 0, off.stderr);
    const offJson = JSON.parse(off.stdout);
    assert.equal(offJson.resolverWatch, null);
    assert.deepEqual(offJson.events, []);
    const on = await runCli(['run', '-t', lab.headlessTarget, '--lb-policy', 'round_robin', '-n', '30', '-o', 'json']);
    const onJson = JSON.parse(on.stdout);
    assert.equal(onJson.resolverWatch.intervalFrom, 'ttl');
    assert.equal(onJson.resolverWatch.intervalMs, 5000, 'the lab DNS TTL, 5 s');
    assert.equal(onJson.resolverWatch.observations[0].addresses.length, 3);
    assert.ok(Array.isArray(onJson.events));
    const bad = await runCli(['run', '-t', lab.headlessTarget, '--watch-interval', '5']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--watch-interval/);
  });
});
