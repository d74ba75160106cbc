// `run --k8s`: the Service and its EndpointSlices read through @kubernetes/client-node from an
// HTTP stand-in for the Kubernetes API on loopback (recorded objects, list and watch, a bearer
// token), through a kubeconfig this test writes; and what each failure of the API means.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EndpointSlice } from 'kubernetes-models/discovery.k8s.io/v1/EndpointSlice';
import { Service } from 'kubernetes-models/v1/Service';
import { kubernetesNotes } from '../src/analysis/kubernetes.js';
import type { KubernetesFacts } from '../src/result/kubernetes.js';
import { GreeterServer } from '../src/server/greeter.js';
import { oneLine, runCli } from './helpers.js';

const TOKEN = 'test-token-0123456789';
const FORBIDDEN_TOKEN = 'forbidden-token';
const SERVICE = JSON.parse(readFileSync('fixtures/k8s/service-greeter.json', 'utf8'));
const SLICES = JSON.parse(readFileSync('fixtures/k8s/endpointslices-greeter.json', 'utf8'));

/** What the stand-in saw: each request's path and whether it carried the token. */
const requests: { path: string; authorized: boolean }[] = [];
/** Watches of `greeter-live`, held open with no event until the test sends one. */
const liveWatches: ServerResponse[] = [];

/** The slice without the terminating endpoint (127.0.0.4): the one change the watches send. */
function sliceWithoutTerminating(): unknown {
  const slice = structuredClone(SLICES.items[0]);
  slice.endpoints = slice.endpoints.filter((endpoint: { addresses: string[] }) => endpoint.addresses[0] !== '127.0.0.4');
  return slice;
}

function reply(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * The stand-in: GET the Service, list the slices, watch them (one MODIFIED event: the terminating
 * pod gone). `greeter-live` is the same Service whose watch sends that event when the test says.
 */
function handle(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://stand-in');
  const auth = request.headers.authorization;
  requests.push({ path: `${url.pathname}${url.search}`, authorized: auth === `Bearer ${TOKEN}` });
  if (auth === `Bearer ${FORBIDDEN_TOKEN}`) {
    return reply(response, 403, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:shop:default" cannot list resource "endpointslices"' });
  }
  if (auth !== `Bearer ${TOKEN}`) return reply(response, 401, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401, message: 'Unauthorized' });
  if (/^\/api\/v1\/namespaces\/shop\/services\/greeter(-live)?$/.test(url.pathname)) return reply(response, 200, SERVICE);
  if (url.pathname === '/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices') {
    const selector = url.searchParams.get('labelSelector');
    if (selector !== 'kubernetes.io/service-name=greeter' && selector !== 'kubernetes.io/service-name=greeter-live') {
      return reply(response, 200, { kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1', metadata: { resourceVersion: '1' }, items: [] });
    }
    if (url.searchParams.get('watch') !== 'true') return reply(response, 200, SLICES);
    response.writeHead(200, { 'content-type': 'application/json' });
    if (selector.endsWith('-live')) liveWatches.push(response);
    else response.write(`${JSON.stringify({ type: 'MODIFIED', object: sliceWithoutTerminating() })}\n`);
    return; // kept open, as a watch is
  }
  reply(response, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `services "${url.pathname.split('/').at(-1)}" not found` });
}

let written = 0;

/** Writes a kubeconfig (a new file each time: cases run at once) for `server` with a bearer `token`. */
function kubeconfig(dir: string, server: string, token: string): string {
  const file = path.join(dir, `kubeconfig-${(written += 1)}`);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      // client-node refuses plain http unless TLS checks are off; the stand-in speaks http.
      `clusters: [{ name: test, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]`,
      `users: [{ name: probe, user: { token: ${token} } }]`,
      'contexts: [{ name: test, context: { cluster: test, user: probe, namespace: shop } }]',
      'current-context: test',
    ].join('\n'),
  );
  return file;
}

// The stand-in's objects are written here in the API's shape (no cluster can run on this machine,
// and third-party recordings are not ours to copy); kubernetes-models' schema checks hold them to
// discovery.k8s.io/v1 and core/v1 as an API server would, so a misspelt or misplaced field fails.
describe('the stand-in serves schema-valid objects', () => {
  it('every EndpointSlice and the Service pass kubernetes-models validation', () => {
    assert.equal(SLICES.kind, 'EndpointSliceList');
    assert.ok(SLICES.items.length > 0);
    for (const item of SLICES.items) {
      assert.doesNotThrow(() => new EndpointSlice({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', ...item }).validate(), item.metadata.name);
    }
    assert.doesNotThrow(() => new Service(SERVICE).validate());
    assert.throws(() => new EndpointSlice({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', ...SLICES.items[0], addressType: undefined }).validate());
  });
});

describe('run --k8s against a stand-in Kubernetes API', { concurrency: 3 }, () => {
  let api: Server;
  let silent: Server;
  let servers: GreeterServer[];
  let dir: string;
  let good: string;
  let target: string;
  const env = { KUBERNETES_SERVICE_HOST: '', KUBECONFIG: '' };

  before(async () => {
    api = createServer(handle);
    silent = createServer(() => {}); // accepts, never answers
    await Promise.all([api, silent].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
    servers = [new GreeterServer({ host: '127.0.0.2', port: 0, hostname: 'greeter-a' }), new GreeterServer({ host: '127.0.0.3', port: 0, hostname: 'greeter-b' })];
    await Promise.all(servers.map((server) => server.start()));
    dir = mkdtempSync(path.join(tmpdir(), 'grpclb-probe-k8s-'));
    good = kubeconfig(dir, `http://127.0.0.1:${(api.address() as AddressInfo).port}`, TOKEN);
    target = `ipv4:${servers.map((server) => server.address).join(',')}`;
  });
  after(() => {
    for (const watch of liveWatches) watch.end();
    api.closeAllConnections();
    api.close();
    silent.closeAllConnections();
    silent.close();
    for (const server of servers) server.kill();
  });

  it('names pod, node and zone per backend, takes the expected set from ready endpoints, and records endpoint changes', async () => {
    const outcome = await runCli(['run', '-t', target, '--lb-policy', 'round_robin', '-z', '1500ms', '--concurrency', '2', '--rps', '20', '--k8s-service', 'shop/greeter', '--kubeconfig', good, '-o', 'json'], { env });
    assert.equal(outcome.code, 0, outcome.stderr);
    const document = JSON.parse(outcome.stdout);
    assert.ok(requests.some((request) => request.authorized && /labelSelector=kubernetes\.io%2Fservice-name%3Dgreeter/.test(request.path) && /watch=true/.test(request.path)), 'the slices were watched with the bearer token');
    assert.equal(document.kubernetes.service, 'greeter');
    assert.equal(document.kubernetes.type, 'ClusterIP');
    assert.equal(document.kubernetes.headless, false);
    const placed = Object.fromEntries(document.backends.map((backend: { name: string; pod: string; node: string; zone: string }) => [backend.name, [backend.pod, backend.node, backend.zone]]));
    assert.deepEqual(placed, { 'greeter-a': ['greeter-7d9f8c6b5-abcde', 'node-a1', 'zone-a'], 'greeter-b': ['greeter-7d9f8c6b5-fghij', 'node-b1', 'zone-b'] });
    assert.equal(document.expected.from, 'endpoints');
    assert.equal(document.expected.backends, 2, 'the terminating endpoint is not expected');
    assert.ok(document.diagnosis.notes.some((note: string) => /Service shop\/greeter is ClusterIP 10\.96\.41\.7 with 2 ready endpoints/.test(note)), document.diagnosis.notes.join('\n'));
    assert.ok(document.diagnosis.notes.some((note: string) => /zones: zone-a [\d.]+ % of RPCs for 50\.0 % of ready endpoints; zone-b [\d.]+ % .*zone hints/.test(note)), document.diagnosis.notes.join('\n'));
    assert.deepEqual(document.kubernetes.changes.map((change: { address: string; change: string }) => [change.address, change.change]), [['127.0.0.4', 'removed']]);
    assert.ok(document.events.some((event: { detail: string }) => /EndpointSlice: 127\.0\.0\.4 \(pod greeter-7d9f8c6b5-klmno\) removed/.test(event.detail)));
  });

  it('--forever: every window carries the Service, its endpoints then, pod, node and zone per backend, and only the changes seen during it', async () => {
    type Window = {
      stopReason: string;
      expected: { from: string; backends: number };
      backends: { name: string; pod?: string }[];
      kubernetes: { service: string; endpoints: { address: string }[]; changes: { address: string; change: string; atMs: number }[] };
    };
    const windows: Window[] = [];
    let sent = false;
    let stopped = false;
    let probe: import('node:child_process').ChildProcess | undefined;
    let changedAt = -1;
    const outcome = runCli(['run', '-t', target, '--lb-policy', 'round_robin', '--rps', '20', '--forever', '--report-interval', '1s', '--k8s-service', 'shop/greeter-live', '--kubeconfig', good, '-o', 'json'], {
      env,
      timeoutMs: 45_000,
      onSpawn: (child) => {
        probe = child;
        let pending = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          pending += chunk.toString();
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) windows.push(JSON.parse(line) as Window);
          // After a measured window, the pod goes; two windows after the change, the run is stopped.
          if (!sent && windows.length >= 1 && liveWatches.length > 0) {
            sent = true;
            for (const watch of liveWatches) watch.write(`${JSON.stringify({ type: 'MODIFIED', object: sliceWithoutTerminating() })}\n`);
          }
          if (changedAt < 0) changedAt = windows.findIndex((window) => window.kubernetes.changes.length > 0);
          if (!stopped && changedAt >= 0 && windows.length >= changedAt + 2) stopped = child.kill('SIGINT');
        });
      },
    });
    const ended = await outcome;
    assert.ok(probe !== undefined);
    assert.equal(ended.code, 0, ended.stderr);
    assert.ok(sent, `the watch was open after the first window: ${windows.length} windows`);
    assert.ok(changedAt >= 1, `the change falls in a later window than the first: ${changedAt}`);
    for (const [index, window] of windows.entries()) {
      assert.equal(window.kubernetes.service, 'greeter-live', `window ${index + 1}`);
      assert.equal(window.expected.from, 'endpoints');
      assert.equal(window.expected.backends, 2);
      // The last window is cut short by the signal: it may have reached one backend only.
      const pods = { 'greeter-a': 'greeter-7d9f8c6b5-abcde', 'greeter-b': 'greeter-7d9f8c6b5-fghij' } as Record<string, string>;
      if (index < windows.length - 1) assert.equal(window.backends.length, 2, `window ${index + 1}`);
      for (const backend of window.backends) assert.equal(backend.pod, pods[backend.name], `window ${index + 1}: ${backend.name}`);
      const changes = window.kubernetes.changes.map((change) => [change.address, change.change]);
      assert.deepEqual(changes, index === changedAt ? [['127.0.0.4', 'removed']] : [], `window ${index + 1}: the change is in its own window only`);
      assert.equal(window.kubernetes.endpoints.length, index < changedAt ? 3 : 2, `window ${index + 1}: the endpoints at its end`);
    }
    assert.ok(windows[changedAt]!.kubernetes.changes[0]!.atMs >= 0, 'timed from the start of its window');
  });

  const failures: [string, (context: { dir: string; api: string; silent: string }) => string[], number, RegExp][] = [
    ['a token the API refuses (401)', (c) => ['--kubeconfig', kubeconfig(c.dir, c.api, 'wrong')], 2, /--k8s on: Service shop\/greeter: HTTP 401/],
    ['no permission (403), with the API\u2019s reason', (c) => ['--kubeconfig', kubeconfig(c.dir, c.api, FORBIDDEN_TOKEN)], 2, /HTTP 403: endpointslices\.discovery\.k8s\.io is forbidden/],
    ['a Service that does not exist (404)', (c) => ['--kubeconfig', kubeconfig(c.dir, c.api, TOKEN), '--k8s-service', 'shop/nope'], 2, /Service shop\/nope: HTTP 404/],
    ['an API that never answers, bounded by --connect-timeout', (c) => ['--kubeconfig', kubeconfig(c.dir, c.silent, TOKEN), '--connect-timeout', '1s'], 3, /no answer within 1000 ms/],
    ['a kubeconfig that does not parse', (c) => ['--kubeconfig', path.join(c.dir, 'broken')], 2, /kubeconfig .*broken/],
  ];
  for (const [title, args, code, names] of failures) {
    it(`--k8s on: ${title}: one line, exit ${code}`, async () => {
      writeFileSync(path.join(dir, 'broken'), 'clusters: [unclosed\n');
      const context = { dir, api: `http://127.0.0.1:${(api.address() as AddressInfo).port}`, silent: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` };
      const outcome = await runCli(['run', '-t', '127.0.0.1:1', '-n', '1', '--k8s', 'on', '--k8s-service', 'shop/greeter', ...args(context)], { env });
      assert.equal(outcome.code, code, outcome.stderr);
      assert.match(oneLine(outcome.stderr), names);
      assert.doesNotMatch(outcome.stderr, /^\s+at /m);
    });
  }

  it('--k8s auto: no permission is one note, and the run goes on', async () => {
    const forbidden = kubeconfig(dir, `http://127.0.0.1:${(api.address() as AddressInfo).port}`, FORBIDDEN_TOKEN);
    const outcome = await runCli(['run', '-t', target, '-n', '20', '--k8s-service', 'shop/greeter', '--kubeconfig', forbidden, '-o', 'json'], { env });
    assert.equal(outcome.code, 0, outcome.stderr);
    const notes = outcome.stderr.split('\n').filter((line) => /--k8s auto/.test(line));
    assert.equal(notes.length, 1, outcome.stderr);
    assert.match(notes[0]!, /HTTP 403.*going on without pod, node and zone/);
    assert.equal(JSON.parse(outcome.stdout).kubernetes, undefined);
  });
});

describe('kubernetes notes', () => {
  const facts: KubernetesFacts = {
    namespace: 'shop',
    service: 'greeter-headless',
    type: 'ClusterIP',
    headless: true,
    clusterIps: [],
    trafficDistribution: null,
    endpoints: [
      { address: '10.0.0.5', ready: true, serving: true, terminating: false, pod: 'greeter-a', node: 'n1', zone: 'z1', hintZones: [] },
      { address: '10.0.0.9', ready: false, serving: true, terminating: true, pod: 'greeter-old', node: 'n2', zone: 'z1', hintZones: [] },
    ],
    changes: [],
    watchError: null,
  };
  it('names a resolved address that is not a ready endpoint, and the Service type from the API', () => {
    const notes = kubernetesNotes(facts, [], ['10.0.0.5:50051', '10.0.0.9:50051', '10.0.0.77:50051']);
    assert.match(notes[0]!, /greeter-headless is headless \(clusterIP: None\) with 1 ready endpoint$/);
    assert.match(notes[1]!, /10\.0\.0\.9 \(pod greeter-old, terminating\), 10\.0\.0\.77 \(in no EndpointSlice\): not a ready endpoint/);
    assert.equal(kubernetesNotes(facts, [], ['10.0.0.5:50051']).length, 1, 'no stray note when every address is ready');
  });
});
