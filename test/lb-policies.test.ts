import './resolver-env.js';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runProbe, type ProbeOptions } from '../src/engine/probe.js';
import type { RunResult } from '../src/result/run-result.js';
import { weightedRoundRobinConfig } from '../src/lb/weighted-round-robin.js';
import type { GreeterServer } from '../src/server/greeter.js';
import { ipv4Target, startServers, stopServers } from './helpers.js';

/** Fast pods slower than this at p50 (local RPCs take about 1 ms): the machine is too busy for the comparison. */
const BUSY_P50_MS = 10;

const load = { calls: 600, durationMs: null, concurrency: 8, rps: 200, deadlineMs: 2000 } as const;

function share(result: RunResult, name: string): number {
  return result.backends.find((backend) => backend.name === name)?.share ?? 0;
}

describe('least_request', () => {
  const servers: GreeterServer[] = [];
  after(() => stopServers(servers));

  it('sends a pod slowed by 20 ms less than 70 % of what round_robin sends it', async (t) => {
    servers.push(...(await startServers(3, 'lr')));
    servers[2]!.setDelayMs(20);
    const target = ipv4Target(servers);
    // Closed loop, 8 in flight: the slow pod's outstanding RPCs are what least_request sees.
    // P2C evens out outstanding RPCs, so shares go as 1/latency: on a machine so busy that
    // every RPC waits tens of ms for the event loop, 20 ms stands out less. Up to 3 tries.
    const closedLoop = { ...load, calls: 400, rps: null };
    const tries: string[] = [];
    let calm = false;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const [roundRobin, leastRequest] = await Promise.all(
        (['round_robin', 'least_request'] as const).map((lbPolicy) => runProbe({ ...closedLoop, target, lbPolicy } satisfies ProbeOptions)),
      );
      assert.equal(leastRequest!.rpcs.failed, 0);
      assert.equal(leastRequest!.backends.length, 3, 'every pod still gets RPCs');
      const slowRr = share(roundRobin!, 'lr-3');
      const slowLr = share(leastRequest!, 'lr-3');
      assert.ok(slowRr > 0.25, `round_robin share ${slowRr}`);
      if (slowLr < 0.7 * slowRr) return;
      const fastP50 = Math.min(...leastRequest!.backends.filter((backend) => backend.name !== 'lr-3').map((backend) => backend.latencyMs.p50));
      calm ||= fastP50 < BUSY_P50_MS;
      tries.push(`least_request ${slowLr.toFixed(3)} vs round_robin ${slowRr.toFixed(3)} (p50 ${leastRequest!.latencyMs.p50} ms)`);
    }
    // Only when every try found the fast pods slower than the slowdown itself is the machine to blame.
    if (!calm) {
      t.skip(`machine too busy to tell 20 ms apart: ${tries.join('; ')}`);
      return;
    }
    assert.fail(tries.join('; '));
  });
});

describe('weighted_round_robin with ORCA', () => {
  const servers: GreeterServer[] = [];
  after(() => stopServers(servers));

  it('a server reporting 3x the utilization gets clearly less', async () => {
    for (const [index, utilization] of [0.2, 0.2, 0.6].entries()) {
      servers.push(...(await startServers(1, `wrr-${index + 1}`, { orcaUtilization: utilization })));
    }
    const result = await runProbe({
      ...load,
      calls: 800,
      target: ipv4Target(servers),
      lbPolicy: null,
      channelOptions: {
        'grpc.service_config': JSON.stringify({ loadBalancingConfig: [weightedRoundRobinConfig({ blackoutPeriodMs: 0, weightUpdatePeriodMs: 100, enableOobLoadReport: true, oobReportingPeriodMs: 200 })] }),
      },
    });
    assert.equal(result.rpcs.failed, 0);
    const busy = share(result, 'wrr-3-1');
    const others = (share(result, 'wrr-1-1') + share(result, 'wrr-2-1')) / 2;
    assert.ok(busy < 0.6 * others, `busy ${busy} vs others ${others}`);
  });

  it('without ORCA reports it stays round robin', async () => {
    const plain = await startServers(3, 'plain');
    servers.push(...plain);
    const result = await runProbe({ ...load, calls: 300, target: ipv4Target(plain), lbPolicy: 'weighted_round_robin' });
    for (const backend of result.backends) assert.ok(Math.abs(backend.share - 1 / 3) < 0.1, `${backend.name} ${backend.share}`);
  });
});
