import './resolver-env.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { diagnose } from '../src/analysis/diagnosis.js';
import { pollingNote } from '../src/analysis/polling.js';
import { startProbe } from '../src/engine/probe.js';
import { Lab } from '../src/lab/topology.js';
import { renderTable } from '../src/report/table.js';
import { analyze } from '../src/analysis/analyze.js';
import type { RunResult } from '../src/result/run-result.js';
import { facts } from './diagnosis-facts.js';
import { runCli } from './helpers.js';

/** A 3-pod lab; one round_robin channel over its headless Service, a pod added a second in. */
async function scaleOutRun(lab: Lab, reResolveIntervalMs: number | null): Promise<{ result: RunResult; added: string }> {
  const run = startProbe({
    target: lab.headlessTarget,
    lbPolicy: 'round_robin',
    reResolveIntervalMs,
    calls: null,
    durationMs: 3500,
    rps: 40,
    concurrency: 4,
    deadlineMs: 3000,
    intervalMs: 500,
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const pod = await lab.addBackend();
  return { result: await run.done, added: pod.name };
}

describe('--re-resolve-interval: the polling resolver', () => {
  let polled: { result: RunResult; added: string };
  let plain: { result: RunResult; added: string };
  const labs: Lab[] = [];
  before(async () => {
    const [first, second] = await Promise.all([Lab.start({ replicas: 3 }), Lab.start({ replicas: 3, podAddressPrefix: '127.0.11.' })]);
    labs.push(first, second);
    [polled, plain] = await Promise.all([scaleOutRun(first, 500), scaleOutRun(second, null)]);
  });
  after(() => Promise.all(labs.map((lab) => lab.close())));

  it('a pod added to DNS gets RPCs from a polling channel, and none from grpc-js\u2019s own dns resolver', () => {
    const rpcsOf = (run: { result: RunResult; added: string }): number => run.result.backends.find((backend) => backend.name === run.added)?.rpcs ?? 0;
    // Added after about 1 s of 3.5 s, found within one 0.5 s poll: well over a tenth of the RPCs.
    assert.ok(rpcsOf(polled) > 0.1 * polled.result.rpcs.ok, `${rpcsOf(polled)} of ${polled.result.rpcs.ok}`);
    assert.equal(rpcsOf(plain), 0);
    assert.equal(plain.result.backends.length, 3);
  });

  it('the result says which resolver was used and how many resolutions it asked for', () => {
    assert.equal(polled.result.resolver?.name, 'dns-poll');
    assert.equal(polled.result.resolver?.reResolveIntervalMs, 500);
    // 3.5 s of run plus the connect wait at one resolution per 0.5 s: 6 or more, bounded above.
    const resolutions = polled.result.resolver?.resolutions ?? 0;
    assert.ok(resolutions >= 6 && resolutions <= 20, `${resolutions} resolutions`);
    assert.deepEqual(plain.result.resolver, { name: 'dns', reResolveIntervalMs: null, resolutions: null });
    const table = renderTable(analyze(polled.result, { expectedBackends: 4, resolvedAddresses: null, topology: 'dns-pods' }), { color: false });
    assert.match(table, /resolver dns-poll, re-resolves every 500 ms \(\d+ resolutions\)/);
    assert.doesNotMatch(renderTable(analyze(plain.result, { expectedBackends: 4, resolvedAddresses: null, topology: 'dns-pods' }), { color: false }), /resolver dns/);
  });
});

describe('the diagnosis of a polling channel', () => {
  it('is not "blind to backends added since", and names the polling instead', () => {
    const base = { counts: [100, 100, 100, 10], expected: 5, lbPolicy: 'round_robin', resolvedAddresses: 3, peers: 4 };
    assert.match(diagnose(facts(base)).cause, /blind to backends added since/);
    const polling = diagnose(facts({ ...base, reResolveIntervalMs: 2000, resolutions: 7 }));
    assert.doesNotMatch(polling.cause, /blind/);
    assert.match(polling.cause, /re-resolves every 2 s: backends added since get RPCs from its next poll on/);
    assert.ok(polling.notes.some((note) => note.includes('(7 resolutions over 1 channel in this run)')), polling.notes.join('\n'));
  });

  it('names the cost: 1,000 client pods polling every 5 s are 200 resolutions/s on CoreDNS', () => {
    assert.match(pollingNote({ reResolveIntervalMs: 5000, resolutions: null, channels: 1 }) ?? '', /1,000 client pods polling every 5 s send CoreDNS 200 resolutions\/s/);
    assert.equal(pollingNote({ reResolveIntervalMs: null, resolutions: null, channels: 1 }), null);
  });
});

describe('the lab\'s headless-rr-poll setup', () => {
  it('runs when named, BALANCED over round_robin, polling at --re-resolve-interval', async () => {
    const outcome = await runCli(['run', '--setups', 'headless-rr-poll', '--re-resolve-interval', '1s', '-n', '60', '-q', '-o', 'json']);
    assert.equal(outcome.code, 0, outcome.stderr);
    const document = JSON.parse(outcome.stdout) as { setups: { setup: string; lbPolicy: string; verdict: string; result: RunResult }[] };
    assert.deepEqual(document.setups.map((setup) => [setup.setup, setup.lbPolicy, setup.verdict]), [['headless-rr-poll', 'round_robin', 'BALANCED']]);
    assert.equal(document.setups[0]?.result.resolver?.name, 'dns-poll');
    assert.equal(document.setups[0]?.result.resolver?.reResolveIntervalMs, 1000);
  });
});

describe('--re-resolve-interval: bad input', () => {
  it('exit 2 naming the flag for a target with no DNS name, and for an interval under 100 ms', async () => {
    const literal = await runCli(['run', '-t', '127.0.0.1:1', '--re-resolve-interval', '1s', '-n', '1']);
    assert.equal(literal.code, 2);
    assert.match(literal.stderr, /--re-resolve-interval: "127\.0\.0\.1:1" names no DNS name to re-resolve/);
    const short = await runCli(['run', '-t', 'dns:///greeter.invalid:50051', '--re-resolve-interval', '10ms', '-n', '1']);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /--re-resolve-interval.*at least 100ms/);
    assert.doesNotMatch(literal.stderr + short.stderr, /\n\s+at /);
  });
});
