// Fixtures for the HTML report tests: a captured run (a third pod joining after 4 s, events
// added by hand), analysed, and a lab comparison built from it and the hand-written fixture.
import { readFileSync } from 'node:fs';
import { analyze } from '../src/analysis/analyze.js';
import type { RunResult } from '../src/result/run-result.js';
import type { ProbeReport } from '../src/result/report.js';
import type { LabComparison } from '../src/result/lab.js';
import type { ScenarioOutcome } from '../src/result/scenario.js';

function load(name: string): RunResult {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as RunResult;
}

/** `fixtures/run-scaleout.json`, 4 backends expected, two gates (one fails). */
export function scaleOutReport(): ProbeReport {
  return analyze(load('run-scaleout.json'), { expectedBackends: 4, resolvedAddresses: null, topology: null, gates: { maxSkew: 1.3, minBackends: 3 } });
}

/** Three setups: a pinned VIP (the scale-out run's traffic all on one pod), round_robin, the proxy. */
export function labComparison(): LabComparison {
  const scaleOut = load('run-scaleout.json');
  const first = scaleOut.backends[0]!;
  const pinned: RunResult = {
    ...scaleOut,
    backends: [{ ...first, rpcs: scaleOut.rpcs.ok, share: 1 }],
    channelMatrix: [{ channel: 0, peers: ['10.96.0.10:50051'], backends: { [first.name]: scaleOut.rpcs.ok }, failed: 0, switches: 0 }],
    timeline: {
      intervalMs: scaleOut.timeline.intervalMs,
      buckets: scaleOut.timeline.buckets.map((bucket) => ({ ...bucket, rpcs: { [first.name]: Object.values(bucket.rpcs).reduce((sum, rpcs) => sum + rpcs, 0) } })),
    },
  };
  const setups = [
    { setup: 'clusterip', result: pinned, lbPolicy: null, topology: 'clusterip-vip', connectsTo: 'VIP 10.96.0.10:50051' },
    { setup: 'static', result: scaleOut, lbPolicy: 'round_robin', topology: 'static-pods', connectsTo: '3 pod IPs' },
  ] as const;
  const backends = scaleOut.backends.map((backend, index) => ({ name: backend.name, address: `10.0.0.1${index + 1}:50051` }));
  return {
    replicas: backends.length,
    backends,
    loopbackAliases: true,
    setups: setups.map(({ setup, result, lbPolicy, topology, connectsTo }) => ({
      spec: { setup, target: connectsTo, lbPolicy, topology, connectsTo, resolvedAddresses: backends.map((backend) => backend.address) },
      report: analyze(result, { expectedBackends: backends.length, resolvedAddresses: null, topology, gates: {} }),
    })),
    skipped: [],
    interrupted: false,
  } as unknown as LabComparison;
}

/** The embedded document of a page. @throws when there is none. */
export function embeddedDocument(html: string): { kind: string; report: unknown; spectrum: { percentiles: number[]; series: Record<string, (number | null)[]> } } {
  const match = /<script type="application\/json" id="grpclb-probe-data">([^]*?)<\/script>/.exec(html);
  if (match === null) throw new Error('no embedded document');
  return JSON.parse(match[1]!);
}

/** A scale-out scenario played over the lab comparison's two runs: a pod event, an answer per setup, a lesson. */
export function scenarioOutcome(): ScenarioOutcome {
  const lab = labComparison();
  const setups = lab.setups.map((outcome, index) => ({
    setup: index === 0 ? 'clusterip' : 'headless-rr-poll',
    spec: { ...outcome.spec, setup: index === 0 ? 'clusterip' : 'headless-rr-poll', channelArgs: {}, reResolveIntervalMs: index === 0 ? null : 2000, serviceConfig: null, usesDns: index > 0 },
    report: outcome.report,
    answer: index === 0 ? 'the new pod never got an RPC' : 'the new pod got its first RPC 1.2 s after it was ready',
  }));
  return {
    scenario: 'scale-out',
    summary: 'a third pod joins at 4 s',
    lesson: 'Existing connections never move: re-resolve, or close connections with a max connection age.',
    options: { replicas: 2, rps: 100, durationMs: 12_000, intervalMs: 1000, drain: 'graceful', slowMs: 20, deadlineMs: 1000 },
    events: [{ atMs: 4000, kind: 'pod-added', backend: lab.backends[2]!.name, detail: `${lab.backends[2]!.name} ready` }],
    setups,
    skipped: [],
    interrupted: false,
  } as unknown as ScenarioOutcome;
}
