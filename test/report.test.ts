import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import type { RunResult } from '../src/result/run-result.js';
import { bar, callText, sparkline } from '../src/report/format.js';
import { jsonReport } from '../src/report/json.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { formatProgressLine } from '../src/report/progress.js';
import { renderTable } from '../src/report/table.js';

const result = JSON.parse(readFileSync(new URL('../fixtures/run-result.json', import.meta.url), 'utf8')) as RunResult;
const report = analyze(result, {
  expectedBackends: 4,
  resolvedAddresses: ['10.0.0.11:50051', '10.0.0.12:50051', '10.0.0.13:50051'],
  topology: null,
  gates: { maxSkew: 1.5, minBackends: 3 },
});

describe('the table reporter', () => {
  const text = renderTable(report, { color: false });
  it('has one row per backend with peer, RPCs, share and latency, plus the idle expected backend', () => {
    assert.match(text, /greeter-7d4b9c6f8-abcde\s*│ 10\.0\.0\.11:50051\s*│ 150\s*│ 50\.7 %/);
    assert.match(text, /greeter-7d4b9c6f8-fghij\s*│ 10\.0\.0\.12:50051\s*│ 96 \(\+1 failed\)\s*│ 32\.4 %/);
    assert.match(text, /│ 12\.5\s*│ \d+\.\d+\s*│ 31\.0\s*│/, 'p50, p95, p99');
    assert.match(text, /p50 [\d.]+ ms  p95 [\d.]+ ms  p99 [\d.]+ ms/, 'p95 in the overall line');
    assert.match(text, /\(expected, no RPC\)/);
  });
  it('prints totals with failures by status, channels, skew, verdict and gates', () => {
    assert.match(text, /RPCs 296 ok, 4 failed \(UNAVAILABLE 3, DEADLINE_EXCEEDED 1\)/);
    assert.match(text, /channels 2, 0 pinned to one backend/);
    assert.match(text, /skew 2\.03 \(largest share 50\.7 % \/ fair share 25\.0 % of 4 expected\)/);
    assert.match(text, /^PARTIAL: 1 of 4 expected backends got no RPC/m);
    assert.match(text, /gate --max-skew FAIL: limit <= 1.5, measured 2.03/);
    assert.match(text, /gate --min-backends pass: limit >= 3, measured 3/);
  });
  it('draws the per-backend timeline as a sparkline', () => {
    assert.match(text, /over time \(1 s\/cell\)/);
    // abcde 60,60,30 and klmno 0,20,30 on one scale (peak 60): a gap where klmno had nothing.
    // The run ended 0.5 s into the third interval: marked partial, not drawn as a drop.
    assert.match(text, /abcde[^\n]*██╎/);
    assert.match(text, /klmno[^\n]*│  ▃╎/); // cell padding, then a gap for the idle first second
    assert.match(text, /╎ the last interval is partial \(0\.50 s of 1 s, 60 RPCs\)/);
  });
  it('has no escape codes without color, and colors the verdict with it', () => {
    assert.doesNotMatch(text, /\u001b\[/);
    assert.match(renderTable(report, { color: true }), /\u001b\[/);
  });
});

describe('the JSON reporter', () => {
  it('keeps the run result at the top level and adds the analysis', () => {
    const json = JSON.parse(JSON.stringify(jsonReport(report)));
    assert.equal(json.target, result.target);
    assert.deepEqual(json.rpcs, result.rpcs);
    assert.equal(json.backends.length, 3);
    assert.equal(json.diagnosis.verdict, 'PARTIAL');
    assert.equal(json.skew.expectedBackends, 4);
    assert.equal(json.gates.length, 2);
    assert.deepEqual(
      json.gates.map((gate: { limit: unknown; measured: unknown; display: string }) => [gate.limit, gate.measured, gate.display]),
      [
        [1.5, 2.027, 'limit <= 1.5, measured 2.03'],
        [3, 3, 'limit >= 3, measured 3'],
      ],
    );
    assert.equal(json.discovery, null);
    assert.deepEqual(json.expected, { backends: 4, from: 'flag', evidence: { flag: 4, lab: null, addresses: 3, seen: 3, peers: 3, discovery: null } });
    assert.equal(typeof json.latencyMs.p95, 'number');
    assert.equal(json.timeline.buckets.length, 3);
  });
});

describe('the markdown reporter', () => {
  it('renders a GitHub table and the verdict', () => {
    const text = renderMarkdown(report);
    assert.match(text, /^### grpclb-probe: PARTIAL$/m);
    assert.match(text, /^\| greeter-7d4b9c6f8-abcde \| 10\.0\.0\.11:50051 \| 150 \| 50\.7 % \|/m);
    assert.match(text, /\| p50 ms \| p95 ms \| p99 ms \|/);
    assert.match(text, /^\| \*\*all\*\* \|/m);
    assert.match(text, /- gate `--max-skew` \*\*failed\*\*/);
  });
});

describe('format helpers', () => {
  it('callText: silent for SayHello named by the hostname header, else the method and how backends were named', () => {
    assert.equal(callText(result), null);
    const custom = { ...result, method: '/shop.Cart/Get', identity: { asked: 'auto', used: 'field:pod', namedByPeer: 0, notes: [] } };
    assert.equal(callText(custom), 'call /shop.Cart/Get  backends by field:pod');
    assert.match(renderTable(analyze(custom, { expectedBackends: null, resolvedAddresses: null, topology: null }), { color: false }), /^call \/shop\.Cart\/Get  backends by field:pod$/m);
    const byPeer = { ...result, identity: { asked: 'auto', used: 'peer', namedByPeer: 296, notes: [] } };
    assert.match(callText(byPeer) ?? '', /backends by peer address \(the replies do not name the server\)/);
  });

  it('bar uses eighth blocks', () => {
    assert.equal(bar(0.5, 4), '██');
    assert.equal(bar(1 / 16, 4), '▎');
    assert.equal(bar(0, 4), '');
  });
  it('sparkline squeezes to the width and leaves gaps for zeros', () => {
    assert.equal(sparkline([0, 4, 8], 10), ' ▄█');
    assert.equal(sparkline([1, 1, 1, 1, 2, 2], 3).length, 3);
  });
  it('progress line is plain text', () => {
    const line = formatProgressLine('lab: proxy', {
      elapsedMs: 1000,
      done: 120,
      totalCalls: 300,
      durationMs: null,
      failed: 0,
      rpcsPerSecond: 120,
      p50Ms: 0.4,
      p99Ms: 1.25,
      backends: [{ name: 'a', rpcs: 60 }, { name: 'b', rpcs: 60 }],
      warmingUp: false,
    });
    assert.equal(line, 'lab: proxy: 120/300 RPCs, 120 RPC/s, 0 failed, p99 1.250 ms; a 60, b 60');
  });
});
