// xDS through the CLI (spawned): the bootstrap's bad inputs, a control plane that does not answer
// or sends a resource the client refuses, and `lab` serving xds:///greeter for `run`.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { XdsControlPlane } from '../src/lab/xds-control-plane.js';
import type { GreeterServer } from '../src/server/greeter.js';
import { BIN, oneLine, runCli, startServers, stopServers } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'grpclb-probe-xds-'));
const file = (name: string, text: string): string => {
  const target = path.join(dir, name);
  writeFileSync(target, text);
  return target;
};
const bootstrapFor = (serverUri: string): string =>
  JSON.stringify({ xds_servers: [{ server_uri: serverUri, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }], node: { id: 'test', locality: {} } });

describe('xDS bad input (spawned): one line, exit 2, naming the flag or variable', { concurrency: 3 }, () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['no bootstrap at all', [], {}, /--target xds:\/\/\/greeter: an xds: target needs an xDS bootstrap: --xds-bootstrap FILE, GRPC_XDS_BOOTSTRAP .* GRPC_XDS_BOOTSTRAP_CONFIG/],
    ['--xds-bootstrap: a missing file', ['--xds-bootstrap', path.join(dir, 'missing.json')], {}, /--xds-bootstrap .*missing\.json: cannot read the xDS bootstrap \(no such file\)/],
    ['--xds-bootstrap: not JSON', ['--xds-bootstrap', file('not-json.json', 'xds_servers: nope')], {}, /--xds-bootstrap .*not-json\.json: bad xDS bootstrap: not JSON/],
    ['--xds-bootstrap: no xds_servers', ['--xds-bootstrap', file('no-servers.json', '{"node":{"id":"x"}}')], {}, /--xds-bootstrap .*no-servers\.json: bad xDS bootstrap: names no xDS server \(xds_servers is missing or empty\)/],
    ['GRPC_XDS_BOOTSTRAP: not JSON', [], { GRPC_XDS_BOOTSTRAP: file('env-bad.json', '{') }, /GRPC_XDS_BOOTSTRAP .*env-bad\.json: bad xDS bootstrap: not JSON/],
    ['GRPC_XDS_BOOTSTRAP_CONFIG: no xds_servers', [], { GRPC_XDS_BOOTSTRAP_CONFIG: '{"xds_servers":[]}' }, /GRPC_XDS_BOOTSTRAP_CONFIG: bad xDS bootstrap: names no xDS server/],
    [
      'GRPC_XDS_BOOTSTRAP_CONFIG: no node.locality (optional in gRFC A27, required by grpc-js-xds)',
      [],
      { GRPC_XDS_BOOTSTRAP_CONFIG: bootstrapFor('127.0.0.1:1').replace(', locality: {}', '').replace(',"locality":{}', '') },
      /GRPC_XDS_BOOTSTRAP_CONFIG: bad xDS bootstrap: locality field missing in node element: @grpc\/grpc-js-xds needs node\.locality, which gRFC A27 leaves optional; add "locality": \{\}/,
    ],
  ];
  for (const [name, args, env, pattern] of cases) {
    it(name, async () => {
      const outcome = await runCli(['run', '-t', 'xds:///greeter', '-n', '3', ...args], { env });
      assert.equal(outcome.code, 2, outcome.stderr);
      assert.match(oneLine(outcome.stderr), pattern);
    });
  }
  it('--xds-bootstrap with a target that is not xds:', async () => {
    const outcome = await runCli(['run', '-t', '127.0.0.1:1', '--xds-bootstrap', file('any.json', bootstrapFor('127.0.0.1:1'))]);
    assert.equal(outcome.code, 2, outcome.stderr);
    assert.match(oneLine(outcome.stderr), /--xds-bootstrap only applies to an xds: target/);
  });
  const weights: [string, RegExp][] = [
    ['3,0,1', /--xds-weights.*expected a comma-separated list of positive integers, one per pod/],
    ['3,x,1', /--xds-weights.*positive integers/],
    ['3,1', /--xds-weights: 2 weights for 3 pods: give one per pod/],
  ];
  for (const [value, pattern] of weights) {
    it(`--xds-weights ${value}`, async () => {
      const outcome = await runCli(['run', '--setups', 'xds-weighted', '--xds-weights', value]);
      assert.equal(outcome.code, 2, outcome.stderr);
      assert.match(oneLine(outcome.stderr), pattern);
    });
  }
});

describe('xDS control planes that fail the client (spawned): exit 3, saying why', { concurrency: 2 }, () => {
  let refusing: Server;
  let firstAcceptAt = Number.NaN;
  let pod: GreeterServer;
  let nacking: XdsControlPlane;
  before(async () => {
    // Takes the connection and drops it: a control plane that never answers.
    refusing = createServer((socket) => {
      if (Number.isNaN(firstAcceptAt)) firstAcceptAt = performance.now();
      socket.destroy();
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    [pod] = (await startServers(1)) as [GreeterServer];
    nacking = new XdsControlPlane('greeter', () => [{ address: pod.address, weight: 1 }]);
    await nacking.start('127.0.0.1');
    nacking.sendBadCluster();
  });
  after(() => {
    refusing.close();
    nacking.close();
    stopServers([pod]);
  });

  it('an unreachable control plane: exit 3 within --connect-timeout + 0.5 s, naming xDS and the server URI', async () => {
    const uri = `127.0.0.1:${(refusing.address() as AddressInfo).port}`;
    const outcome = await runCli(['run', '-t', 'xds:///greeter', '--xds-bootstrap', file('unreachable.json', bootstrapFor(uri)), '-n', '3', '--connect-timeout', '2s', '-q']);
    // The clock starts when the control plane first hears from the client: module loading is not in it.
    const overrunMs = performance.now() - firstAcceptAt - 2000;
    assert.equal(outcome.code, 3, outcome.stderr);
    assert.match(oneLine(outcome.stderr), new RegExp(`within 2\\.0 s \\(--connect-timeout\\): xDS: no resource came from the control plane ${uri.replace(/\./g, '\\.')}`));
    assert.ok(overrunMs < 500, `ended ${Math.round(overrunMs)} ms after the connect timeout`);
  });

  it('a Cluster the client NACKs: exit 3 naming the NACK and its reason, and the JSON says NACKED', async () => {
    const outcome = await runCli(['run', '-t', 'xds:///greeter', '--xds-bootstrap', file('nacking.json', nacking.bootstrap()), '-n', '3', '--connect-timeout', '2s', '-q', '-o', 'json']);
    assert.equal(outcome.code, 3, outcome.stderr);
    assert.match(oneLine(outcome.stderr), /xDS: the client NACKed what the control plane 127\.0\.0\.1:\d+ sent: Cluster greeter-cluster version \d+ \(.*lb_policy: MAGLEV/);
    const json = JSON.parse(outcome.stdout);
    const cluster = json.xds.resources.find((resource: { kind: string }) => resource.kind === 'cluster');
    assert.equal(cluster.status, 'NACKED', JSON.stringify(json.xds));
  });
});

describe('grpclb-probe lab serves xds:///greeter (spawned)', () => {
  it('lab --xds-bootstrap-out FILE, then run -t xds:///greeter --xds-bootstrap FILE: BALANCED over the pods; lab stops cleanly', async () => {
    const bootstrap = path.join(dir, 'lab-bootstrap.json');
    const env = { ...process.env };
    delete env.GRPC_NODE_USE_ALTERNATIVE_RESOLVER;
    const lab = spawn(process.execPath, [BIN, 'lab', '--replicas', '3', '--xds-bootstrap-out', bootstrap], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const killer = setTimeout(() => lab.kill('SIGKILL'), 60_000);
    let stdout = '';
    let stderr = '';
    lab.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => lab.once('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        lab.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes('up; Ctrl-C')) resolve();
        });
        void exited.then((code) => reject(new Error(`lab exited ${code}: ${stderr}`)));
      });
      assert.match(stdout, /xDS \(ADS\) +127\.0\.0\.1:\d+, target xds:\/\/\/greeter/);
      assert.match(stdout, /xds +npx grpclb-probe run --target xds:\/\/\/greeter --xds-bootstrap \S+lab-bootstrap\.json --expect-backends 3/);
      assert.match(JSON.parse(readFileSync(bootstrap, 'utf8')).xds_servers[0].server_uri, /^127\.0\.0\.1:\d+$/);
      const outcome = await runCli(['run', '-t', 'xds:///greeter', '--xds-bootstrap', bootstrap, '-n', '300', '--expect-backends', '3', '--expect', 'balanced', '-o', 'json', '-q']);
      assert.equal(outcome.code, 0, outcome.stderr);
      const json = JSON.parse(outcome.stdout);
      assert.equal(json.diagnosis.verdict, 'BALANCED', json.diagnosis.cause);
      assert.equal(json.backends.length, 3);
      assert.equal(json.xds.endpoints.length, 3);
      lab.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
      assert.match(stderr, /SIGINT: torn down/);
    } finally {
      clearTimeout(killer);
      lab.kill('SIGKILL');
    }
  });
});
