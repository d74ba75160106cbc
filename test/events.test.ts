import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { timelineFacts } from '../src/analysis/events.js';
import type { PeerChange, ResolverWatchResult, RunResult } from '../src/result/run-result.js';
import { runFixture } from './run-fixture.js';
import { jsonReport } from '../src/report/json.js';
import { eventLines } from '../src/report/format.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderTable } from '../src/report/table.js';

function watch(...observations: [number, string[] | null][]): ResolverWatchResult {
  return {
    name: 'greeter',
    server: '127.0.0.1:5353',
    intervalMs: 500,
    intervalFrom: 'flag',
    queries: observations.length,
    failures: observations.filter(([, addresses]) => addresses === null).length,
    observations: observations.map(([atMs, addresses]) => ({ atMs, addresses, ...(addresses === null ? { error: 'ETIMEOUT' } : {}) })),
    truncated: false,
  };
}

const THREE = ['10.0.0.1:50051', '10.0.0.2:50051', '10.0.0.3:50051'];
const report = (result: RunResult) => analyze(result, { expectedBackends: null, resolvedAddresses: THREE, topology: null });

describe('events from the watch, the backends, the peers and the timeline', () => {
  it('the watch gives address-added, address-removed and resolver-error, in time order', () => {
    const result = runFixture({
      series: { a: [10, 10, 10, 10], b: [10, 10, 10, 10], c: [10, 10, 10, 10] },
      watch: watch([5, THREE], [1500, [...THREE, '10.0.0.9:50051']], [2500, null], [3000, ['10.0.0.1:50051', '10.0.0.2:50051', '10.0.0.9:50051']]),
    });
    const { events } = timelineFacts(result);
    assert.deepEqual(
      events.map((event) => [event.atMs, event.kind, event.address]),
      [
        [1500, 'address-added', '10.0.0.9:50051'],
        [2500, 'resolver-error', undefined],
        [3000, 'address-removed', '10.0.0.3:50051'],
      ],
    );
    assert.match(events[1]!.detail, /DNS lookup of greeter failed: ETIMEOUT/);
  });

  it('a late joiner and a stopped backend with their own peers; nothing for a steady run', () => {
    const steady = timelineFacts(runFixture({ series: { a: [10, 10, 10, 10], b: [10, 10, 10, 10] } }));
    assert.deepEqual(steady.events, []);
    const facts = timelineFacts(
      runFixture({ series: { a: [10, 10, 15, 15, 15, 15], b: [10, 10, 15, 15, 15, 15], c: [10, 10, 0, 0, 0, 0], d: [0, 0, 0, 8, 10, 10] }, failed: [0, 0, 4, 0, 0, 0] }),
    );
    const kinds = facts.events.map((event) => `${event.kind} ${event.backend ?? ''} ${event.atMs}`);
    assert.deepEqual(kinds, ['backend-last-rpc c 1900', 'errors  2000', 'backend-first-rpc d 3100']);
    assert.match(facts.events[0]!.detail, /c answered its last RPC; 4 RPCs failed after it \(UNAVAILABLE\)/);
    assert.equal(facts.stoppedBackends[0]?.othersTookOver, true);
    assert.deepEqual(facts.settled?.counts.map((entry) => entry.name), ['a', 'b', 'd']);
  });

  it('behind one shared peer, first and last RPCs are reconnections, not joiners or stops', () => {
    const vip = '10.96.0.1:50051';
    const facts = timelineFacts(
      runFixture({ series: { a: [10, 0, 0, 10], b: [0, 10, 10, 0] }, peers: { a: vip, b: vip }, lbPolicy: null, switches: 2 }),
    );
    assert.equal(facts.lateBackends.length, 0);
    assert.equal(facts.stoppedBackends.length, 0);
  });

  it('peer changes become events, except on channels that switch per RPC', () => {
    const change = (atMs: number, from: string, to: string): PeerChange => ({ atMs, channel: 0, from: { peer: 'vip:1', backend: from }, to: { peer: 'vip:1', backend: to } });
    const changes = [change(1100, 'a', 'b'), change(2100, 'b', 'a'), change(3100, 'a', 'b')];
    const slow = timelineFacts(runFixture({ series: { a: [10, 10, 0, 10], b: [0, 10, 10, 0] }, peers: { a: 'vip:1', b: 'vip:1' }, peerChanges: changes, switches: 3 }));
    assert.equal(slow.reconnections, 3);
    assert.equal(slow.events[0]!.detail, 'channel 0 reconnected to vip:1: a -> b');
    const moved = timelineFacts(
      runFixture({ series: { a: [10, 10], b: [10, 10] }, peerChanges: [{ atMs: 900, channel: 1, from: { peer: 'p:1', backend: 'a' }, to: { peer: 'p:2', backend: 'b' } }], switches: 1 }),
    );
    assert.equal(moved.events[0]!.detail, 'channel 1 moved from p:1 (a) to p:2 (b)');
    const perRpc = timelineFacts(runFixture({ series: { a: [10, 10], b: [10, 10] }, peerChanges: changes, switches: 39 }));
    assert.equal(perRpc.reconnections, 0);
  });

  it('an interval stands out with at least 3 failures, 10 % and twice the rate of the rest; consecutive ones merge', () => {
    const { events } = timelineFacts(runFixture({ series: { a: [20, 20, 20, 20, 20] }, failed: [0, 10, 10, 1, 0] }));
    assert.deepEqual(events.map((event) => [event.kind, event.atMs]), [['errors', 1000]]);
    assert.match(events[0]!.detail, /20 RPCs failed in 2 s \(33 %\), mostly UNAVAILABLE/);
  });
});

describe('the diagnosis reads the timeline', () => {
  it('an address that appeared in DNS and got no RPC is not BALANCED, and the cause names it', () => {
    const diagnosis = report(
      runFixture({ series: { a: [10, 10, 10, 10], b: [10, 10, 10, 10], c: [10, 10, 10, 10] }, watch: watch([5, THREE], [1200, [...THREE, '10.0.0.4:50051']]) }),
    ).diagnosis;
    assert.equal(diagnosis.verdict, 'PARTIAL');
    assert.match(diagnosis.cause, /10\.0\.0\.4:50051 appeared in DNS at 1\.2 s and got no RPC: round_robin resolved once and re-resolves only when a connection drops/);
    assert.match(diagnosis.fix ?? '', /max connection age.*grpc\.dns_min_time_between_resolutions_ms/);
  });

  it('a late joiner: the delay since it appeared in DNS, and the intervals since', () => {
    const result = runFixture({
      series: { a: [10, 10, 10, 10, 7, 7, 7, 7], b: [10, 10, 10, 10, 7, 7, 7, 7], c: [0, 0, 0, 0, 7, 7, 7, 7] },
      watch: watch([5, THREE.slice(0, 2)], [1200, THREE]),
    });
    const diagnosis = report(result).diagnosis;
    assert.equal(diagnosis.verdict, 'BALANCED');
    assert.match(diagnosis.cause, /^c appeared in DNS at 1\.2 s and got its first RPC at 4\.1 s \(2\.9 s later: gRPC re-resolves at most every 30 s by default\); since 4\.1 s: balanced over 3$/);
    const tuned = report({ ...result, channelArgs: { 'grpc.dns_min_time_between_resolutions_ms': 1000 } }).diagnosis;
    assert.match(tuned.cause, /grpc\.dns_min_time_between_resolutions_ms is 1000 here/);
  });

  it('a backend that stopped answering over a static list: named with time and failures, no max-age advice', () => {
    const result = runFixture({
      target: 'ipv4:10.0.0.1:50051,10.0.0.2:50051,10.0.0.3:50051',
      series: { a: [10, 10, 10, 15, 15, 15], b: [10, 10, 10, 15, 15, 15], c: [10, 10, 10, 0, 0, 0] },
      failed: [0, 0, 0, 3, 0, 0],
    });
    const diagnosis = report(result).diagnosis;
    assert.match(diagnosis.cause, /^c stopped answering at 2\.9 s: 3 RPCs failed UNAVAILABLE, the others took over; since 2\.9 s: balanced over 2$/);
    assert.equal(diagnosis.verdict, 'BALANCED');
    assert.doesNotMatch(`${diagnosis.cause} ${diagnosis.fix}`, /max connection age|blind to backends/);
  });

  it('one peer whose backend changes without failures: connections are being replaced, not PINNED', () => {
    const change = (atMs: number, from: string, to: string): PeerChange => ({ atMs, channel: 0, from: { peer: 'vip:1', backend: from }, to: { peer: 'vip:1', backend: to } });
    const result = runFixture({
      series: { a: [10, 0, 10, 0, 10, 0], b: [0, 10, 0, 10, 0, 10] },
      peers: { a: 'vip:1', b: 'vip:1' },
      lbPolicy: null,
      switches: 5,
      peerChanges: [change(1000, 'a', 'b'), change(2000, 'b', 'a'), change(3000, 'a', 'b'), change(4000, 'b', 'a'), change(5000, 'a', 'b')],
    });
    const diagnosis = analyze(result, { expectedBackends: null, resolvedAddresses: ['vip:1'], topology: null }).diagnosis;
    assert.equal(diagnosis.verdict, 'BALANCED');
    assert.equal(diagnosis.cause, 'connections are being replaced (max connection age or GOAWAY): 5 reconnections, 2 backends over time');
  });

  it('a backend whose address left DNS before it stopped: a scale-in, told as such', () => {
    const diagnosis = report(
      runFixture({
        series: { a: [10, 10, 15, 15, 15, 15], b: [10, 10, 15, 15, 15, 15], c: [10, 10, 0, 0, 0, 0] },
        watch: watch([5, THREE], [1500, THREE.slice(0, 2)]),
      }),
    ).diagnosis;
    assert.match(diagnosis.cause, /^c stopped answering at 1\.9 s after its address left DNS at 1\.5 s: no RPC failed, the others took over; since 1\.9 s: balanced over 2$/);
    assert.equal(diagnosis.verdict, 'BALANCED');
  });

  it('the "what happened" list folds connection moves and counts what it leaves out', () => {
    const lines = eventLines(
      Array.from({ length: 12 }, (_, index) => ({ atMs: index * 1000, kind: index < 6 ? 'peer-changed' : 'errors', detail: `event ${index}` })),
    );
    assert.deepEqual(lines.map((line) => line.trim()), [
      '+0.0 s  event 0',
      '+1.0 s  event 1',
      '+6.0 s  event 6',
      '+7.0 s  event 7',
      '+8.0 s  event 8',
      '+9.0 s  event 9',
      '+10.0 s  event 10',
      '+11.0 s  event 11',
      '... 4 more connection moves (peer-changed), the last at +5.0 s',
    ]);
  });

  it('reporters render the events; the JSON has them at the top level, sorted', () => {
    const probe = report(
      runFixture({ series: { a: [10, 10, 10, 10], b: [10, 10, 10, 10], c: [10, 10, 10, 10] }, watch: watch([5, THREE], [3100, [...THREE, '127.0.1.4:50051']]) }),
    );
    assert.match(renderTable(probe, { color: false }), /what happened:\n\s+\+3\.1 s  127\.0\.1\.4:50051 appeared in DNS/);
    assert.match(renderMarkdown(probe), /What happened:\n\n```text\n\s+\+3\.1 s  127\.0\.1\.4:50051 appeared in DNS\n```/);
    const json = JSON.parse(JSON.stringify(jsonReport(probe)));
    assert.deepEqual(json.events, [{ atMs: 3100, kind: 'address-added', address: '127.0.1.4:50051', detail: '127.0.1.4:50051 appeared in DNS' }]);
    assert.equal(json.resolverWatch.observations.length, 2);
  });
});
