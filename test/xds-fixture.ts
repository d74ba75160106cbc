// A hand-built xDS client view (3:1:1 locality weights over three endpoints) and a run over it,
// for the reporters' tests: what CSDS would have said, without a control plane.
import type { RunResult } from '../src/result/run-result.js';
import type { XdsClientView } from '../src/result/xds.js';
import { runFixture } from './run-fixture.js';

/**
 * Endpoints 10.0.0.1-3:50051 with locality weights 3, 1, 1 (expected 60/20/20 %), all ACKED at v1.
 * @param suffix appended to the EDS resource's name (a test puts markup there).
 */
export function weightedView(suffix = ''): XdsClientView {
  const endpoint = (index: number, localityWeight: number, expectedShare: number) => ({
    cluster: `greeter-weighted${suffix}`,
    address: `10.0.0.${index}:50051`,
    locality: `lab/zone-${index}/`,
    priority: 0,
    localityWeight,
    endpointWeight: 1,
    health: 'HEALTHY',
    expectedShare,
  });
  const resource = (kind: XdsClientView['resources'][number]['kind'], name: string) => ({ kind, name, status: 'ACKED', version: '1', lastUpdated: '2026-01-01T00:00:00.000Z', nack: null });
  return {
    source: 'csds',
    resources: [
      resource('listener', 'greeter-weighted'),
      resource('route', 'greeter-weighted-route'),
      resource('cluster', 'greeter-weighted-cluster'),
      resource('endpoints', `greeter-weighted${suffix}`),
    ],
    clusters: [{ name: 'greeter-weighted-cluster', lbPolicy: 'ROUND_ROBIN', edsServiceName: `greeter-weighted${suffix}` }],
    endpoints: [endpoint(1, 3, 0.6), endpoint(2, 1, 0.2), endpoint(3, 1, 0.2)],
    error: null,
  };
}

/**
 * An xds: run over {@link weightedView}: greeter-a, -b, -c on 10.0.0.1-3 with `rpcs` successful
 * RPCs in each of two intervals (default 62, 18, 20: skew 1.86 against an even split, 1.03 against 3:1:1).
 */
export function weightedRun(rpcs: readonly [number, number, number] = [62, 18, 20], suffix = ''): RunResult {
  const result = runFixture({
    target: 'xds:///greeter-weighted',
    series: { 'greeter-a': [rpcs[0], rpcs[0]], 'greeter-b': [rpcs[1], rpcs[1]], 'greeter-c': [rpcs[2], rpcs[2]] },
    peers: { 'greeter-a': '10.0.0.1:50051', 'greeter-b': '10.0.0.2:50051', 'greeter-c': '10.0.0.3:50051' },
  });
  return { ...result, xds: weightedView(suffix) };
}
