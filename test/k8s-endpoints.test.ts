// `run --k8s`: the Service and its EndpointSlices read through @kubernetes/client-node from an
// HTTP stand-in for the Kubernetes API on loopback (objects recorded from real clusters, see
// test/k8s-recorded.ts; list and watch, a bearer token), through a kubeconfig this test writes;
// and what each failure of the API means.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubernetesNotes, placeBackends } from '../src/analysis/kubernetes.js';
import { endpointsOfSlice } from '../src/k8s/endpoints.js';
import type { KubernetesFacts } from '../src/result/kubernetes.js';
import { GreeterServer } from '../src/server/greeter.js';
import { oneLine, runCli } from './helpers.js';
import { runFixture } from './run-fixture.js';
import { LOOPBACK, RECORDED_ENDPOINTS, RECORDED_SERVICE, SERVICE_REF, TERMINATING, servedSlice, sliceList, watchEvent } from './k8s-recorded.js';

const TOKEN = 'test-token-0123456789';
const FORBIDDEN_TOKEN = 'forbidden-token';
const NAMESPACE = RECORDED_SERVICE.metadata!.namespace!;
const NAME = RECORDED_SERVICE.metadata!.name!;
/** The terminating endpoint's loopback address, as the probe's facts name it. */
const GONE = LOOPBACK[TERMINATING.address]!;
/** The two ready recorded endpoints, where the Greeter servers run, named as their pods. */
const [FIRST, SECOND] = RECORDED_ENDPOINTS as [(typeof RECORDED_ENDPOINTS)[0], (typeof RECORDED_ENDPOINTS)[0]];

/** What the stand-in saw: each request's path and whether it carried the token. */
const requests: { path: string; authorized: boolean }[] = [];
/** Watches of `api-service-live`, held open with no event until the test sends one. */
const liveWatches: ServerResponse[] = [];
/** The one change the watches send: the slice without the terminating endpoint. */
const POD_GONE = watchEvent('MODIFIED', servedSlice({ withTerminating: false }));

function reply(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * The stand-in: GET the Service, list the slices, watch them (one MODIFIED event: the terminating
 * pod gone). `api-service-live` is the same Service whose watch sends that event when the test says.
 */
function handle(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://stand-in');
  const auth = request.headers.authorization;
  requests.push({ path: `${url.pathname}${url.search}`, authorized: auth === `Bearer ${TOKEN}` });
  if (auth === `Bearer ${FORBIDDEN_TOKEN}`) {
    return reply(response, 403, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: `endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:${NAMESPACE}:default" cannot list resource "endpointslices"` });
  }
  if (auth !== `Bearer ${TOKEN}`) return reply(response, 401, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401, message: 'Unauthorized' });
  if ([`/api/v1/namespaces/${NAMESPACE}/services/${NAME}`, `/api/v1/namespaces/${NAMESPACE}/services/${NAME}-live`].includes(url.pathname)) {
    return reply(response, 200, RECORDED_SERVICE);
  }
  if (url.pathname === `/apis/discovery.k8s.io/v1/namespaces/${NAMESPACE}/endpointslices`) {
    const selector = url.searchParams.get('labelSelector');
    if (selector !== `kubernetes.io/service-name=${NAME}` && selector !== `kubernetes.io/service-name=${NAME}-live`) return reply(response, 200, sliceList([]));
    if (url.searchParams.get('watch') !== 'true') return reply(response, 200, sliceList([servedSlice()]));
    response.writeHead(200, { 'content-type': 'application/json' });
    if (selector.endsWith('-live')) liveWatches.push(response);
    else response.write(POD_GONE);
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
      `contexts: [{ name: test, context: { cluster: test, user: probe, namespace: ${NAMESPACE} } }]`,
      'current-context: test',
    ].join('\n'),
  );
  return file;
}

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
    // A pod's hostname is its name: each server answers as the recorded pod at its address.
    servers = [FIRST, SECOND].map((endpoint) => new GreeterServer({ host: LOOPBACK[endpoint.address]!, port: 0, hostname: endpoint.pod }));
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
    const outcome = await runCli(['run', '-t', target, '--lb-policy', 'round_robin', '-z', '1500ms', '--concurrency', '2', '--rps', '20', '--k8s-service', SERVICE_REF, '--kubeconfig', good, '-o', 'json'], { env });
    assert.equal(outcome.code, 0, outcome.stderr);
    const document = JSON.parse(outcome.stdout);
    assert.ok(requests.some((request) => request.authorized && new URL(request.path, 'http://stand-in').searchParams.get('labelSelector') === `kubernetes.io/service-name=${NAME}` && /watch=true/.test(request.path)), 'the slices were watched with the bearer token');
    assert.equal(document.kubernetes.service, 'api-service');
    assert.equal(document.kubernetes.type, 'ClusterIP');
    assert.equal(document.kubernetes.headless, false);
    const placed = Object.fromEntries(document.backends.map((backend: { name: string; pod: string; node: string; zone: string }) => [backend.name, [backend.pod, backend.node, backend.zone]]));
    assert.deepEqual(placed, {
      'mimir-nginx-774d67df5d-zxl8z': ['mimir-nginx-774d67df5d-zxl8z', 'ip-10-13-142-134.eu-west-1.compute.internal', 'eu-west-1c'],
      'mimir-nginx-774d67df5d-2qnjw': ['mimir-nginx-774d67df5d-2qnjw', 'ip-10-11-254-58.eu-west-1.compute.internal', 'eu-west-1a'],
    });
    assert.equal(document.expected.from, 'endpoints');
    assert.equal(document.expected.backends, 2, 'the terminating endpoint is not expected');
    const notes = document.diagnosis.notes.join('\n');
    assert.match(notes, /Service platform-pipelines-dev\/api-service is ClusterIP 172\.20\.236\.78 with 2 ready endpoints/);
    // Zones sorted by name; the recorded slice carries no zone hints (the issue it comes from is about hints gone).
    assert.match(notes, /zones: eu-west-1a [\d.]+ % of RPCs for 50\.0 % of ready endpoints; eu-west-1c [\d.]+ % of RPCs for 50\.0 % of ready endpoints$/m);
    assert.deepEqual(document.kubernetes.changes.map((change: { address: string; change: string }) => [change.address, change.change]), [[GONE, 'removed']]);
    assert.ok(document.events.some((event: { detail: string }) => event.detail.includes(`EndpointSlice: ${GONE} (pod mimir-nginx-774d67df5d-jmvh2) removed`)), JSON.stringify(document.events));
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
    const outcome = runCli(['run', '-t', target, '--lb-policy', 'round_robin', '--rps', '20', '--forever', '--report-interval', '1s', '--k8s-service', `${SERVICE_REF}-live`, '--kubeconfig', good, '-o', 'json'], {
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
            for (const watch of liveWatches) watch.write(POD_GONE);
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
      assert.equal(window.kubernetes.service, 'api-service-live', `window ${index + 1}`);
      assert.equal(window.expected.from, 'endpoints');
      assert.equal(window.expected.backends, 2);
      // The last window is cut short by the signal: it may have reached one backend only.
      if (index < windows.length - 1) assert.equal(window.backends.length, 2, `window ${index + 1}`);
      // Each server answers as the recorded pod at its address: the API placed it there.
      for (const backend of window.backends) assert.ok([FIRST.pod, SECOND.pod].includes(backend.name) && backend.pod === backend.name, `window ${index + 1}: ${backend.name} is pod ${backend.pod}`);
      const changes = window.kubernetes.changes.map((change) => [change.address, change.change]);
      assert.deepEqual(changes, index === changedAt ? [[GONE, 'removed']] : [], `window ${index + 1}: the change is in its own window only`);
      assert.equal(window.kubernetes.endpoints.length, index < changedAt ? 3 : 2, `window ${index + 1}: the endpoints at its end`);
    }
    assert.ok(windows[changedAt]!.kubernetes.changes[0]!.atMs >= 0, 'timed from the start of its window');
  });

  const failures: [string, (context: { dir: string; api: string; silent: string }) => string[], number, RegExp][] = [
    ['a token the API refuses (401)', (c) => ['--kubeconfig', kubeconfig(c.dir, c.api, 'wrong')], 2, /--k8s on: Service platform-pipelines-dev\/api-service: HTTP 401/],
    ['no permission (403), with the API\u2019s reason', (c) => ['--kubeconfig', kubeconfig(c.dir, c.api, FORBIDDEN_TOKEN)], 2, /HTTP 403: endpointslices\.discovery\.k8s\.io is forbidden/],
    ['a Service that does not exist (404)', (c) => ['--kubeconfig', kubeconfig(c.dir, c.api, TOKEN), '--k8s-service', `${NAMESPACE}/nope`], 2, /Service platform-pipelines-dev\/nope: HTTP 404/],
    ['an API that never answers, bounded by --connect-timeout', (c) => ['--kubeconfig', kubeconfig(c.dir, c.silent, TOKEN), '--connect-timeout', '1s'], 3, /no answer within 1000 ms/],
    ['a kubeconfig that does not parse', (c) => ['--kubeconfig', path.join(c.dir, 'broken')], 2, /kubeconfig .*broken/],
  ];
  for (const [title, args, code, names] of failures) {
    it(`--k8s on: ${title}: one line, exit ${code}`, async () => {
      writeFileSync(path.join(dir, 'broken'), 'clusters: [unclosed\n');
      const context = { dir, api: `http://127.0.0.1:${(api.address() as AddressInfo).port}`, silent: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` };
      const outcome = await runCli(['run', '-t', '127.0.0.1:1', '-n', '1', '--k8s', 'on', '--k8s-service', SERVICE_REF, ...args(context)], { env });
      assert.equal(outcome.code, code, outcome.stderr);
      assert.match(oneLine(outcome.stderr), names);
      assert.doesNotMatch(outcome.stderr, /^\s+at /m);
    });
  }

  it('--k8s auto: no permission is one note, and the run goes on', async () => {
    const forbidden = kubeconfig(dir, `http://127.0.0.1:${(api.address() as AddressInfo).port}`, FORBIDDEN_TOKEN);
    const outcome = await runCli(['run', '-t', target, '-n', '20', '--k8s-service', SERVICE_REF, '--kubeconfig', forbidden, '-o', 'json'], { env });
    assert.equal(outcome.code, 0, outcome.stderr);
    const notes = outcome.stderr.split('\n').filter((line) => /--k8s auto/.test(line));
    assert.equal(notes.length, 1, outcome.stderr);
    assert.match(notes[0]!, /HTTP 403.*going on without pod, node and zone/);
    assert.equal(JSON.parse(outcome.stdout).kubernetes, undefined);
  });
});

describe('kubernetes notes', () => {
  // The facts run --k8s takes from the recorded slice (endpointsOfSlice), for a headless Service:
  // the recorded Service as it would read with clusterIP: None (no recording of one is stored).
  const facts: KubernetesFacts = {
    namespace: NAMESPACE,
    service: `${NAME}-headless`,
    type: 'ClusterIP',
    headless: true,
    clusterIps: [],
    trafficDistribution: null,
    endpoints: endpointsOfSlice(servedSlice()),
    changes: [],
    watchError: null,
  };
  const [first, second] = [FIRST, SECOND].map((endpoint) => LOOPBACK[endpoint.address]!) as [string, string];
  it('names a resolved address that is not a ready endpoint, and the Service type from the API', () => {
    const notes = kubernetesNotes(facts, [], [`${first}:80`, `${GONE}:80`, '127.0.0.77:80']);
    assert.match(notes[0]!, /api-service-headless is headless \(clusterIP: None\) with 2 ready endpoints$/);
    assert.equal(notes[1], `resolved to ${GONE} (pod mimir-nginx-774d67df5d-jmvh2, terminating), 127.0.0.77 (in no EndpointSlice): not a ready endpoint of the Service (stale DNS, or a terminating pod still answering)`);
    assert.equal(kubernetesNotes(facts, [], [`${first}:80`, `${second}:80`]).length, 1, 'no stray note when every address is ready');
  });
  it('says the slices carry zone hints when they do', () => {
    // The recorded slice has none (its issue is hints removed and not restored); each ready endpoint
    // hinted for its own zone is how the reporter describes the slice before that.
    const hinted = { ...facts, endpoints: facts.endpoints.map((endpoint) => ({ ...endpoint, hintZones: endpoint.ready ? [endpoint.zone!] : [] })) };
    const result = runFixture({ series: { [`${first}:80`]: [10, 10], [`${second}:80`]: [10, 30] }, peers: { [`${first}:80`]: `${first}:80`, [`${second}:80`]: `${second}:80` } });
    const backends = placeBackends(result.backends, hinted);
    const zones = (on: KubernetesFacts): string | undefined => kubernetesNotes(on, backends, null).find((note) => note.startsWith('zones:'));
    assert.equal(zones(facts), 'zones: eu-west-1a 66.7 % of RPCs for 50.0 % of ready endpoints; eu-west-1c 33.3 % of RPCs for 50.0 % of ready endpoints');
    assert.equal(zones(hinted), `${zones(facts)}; the EndpointSlices carry zone hints (topology-aware routing)`);
  });
});
