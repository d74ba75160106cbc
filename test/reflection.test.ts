import './resolver-env.js';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { findMethod, resolveMethod, rootFromDescriptorSet } from '../src/grpc/method.js';
import { fetchFileDescriptors } from '../src/grpc/reflection.js';
import { L7Proxy } from '../src/lab/l7-proxy.js';
import type { GreeterServer } from '../src/server/greeter.js';
import { ECHO_CALL, echoTarget, startEchoServers, type EchoServer } from './echo-server.js';
import { runCli, startServers, stopServers } from './helpers.js';

const TLS_CERT = fileURLToPath(new URL('../fixtures/tls-cert.pem', import.meta.url));
const TLS_KEY = fileURLToPath(new URL('../fixtures/tls-key.pem', import.meta.url));

describe('server reflection: no --proto', () => {
  let echo: EchoServer[];
  let greeters: GreeterServer[];
  before(async () => {
    echo = await startEchoServers(3, { prefix: 'refl', reflection: true });
    greeters = await startServers(2, 'served');
  });
  after(() => {
    echo.forEach((server) => server.stop());
    stopServers(greeters);
  });

  it('the CLI finds the echo service by reflection and names the 3 pods', async () => {
    const outcome = await runCli(['run', '-t', echoTarget(echo), '--lb-policy', 'round_robin', '-n', '60', '-o', 'json', '--call', ECHO_CALL, '-d', '{"text":"r","mode":"LOUD"}']);
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.deepEqual(json.backends.map((backend: { name: string }) => backend.name), ['refl-1', 'refl-2', 'refl-3']);
    assert.equal(echo[0]!.requests[0]!.mode, 1);
  });

  it('falls back to grpc.reflection.v1alpha when v1 is not served', async () => {
    const older = await startEchoServers(1, { prefix: 'alpha', reflection: 'v1alpha-only' });
    try {
      const method = await resolveMethod(ECHO_CALL, { reflection: { config: { target: older[0]!.address, lbPolicy: null }, options: { deadlineMs: 5000 } } });
      assert.equal(method.source, 'reflection');
      assert.equal(method.replyType.fullName, '.grpclbprobe.echo.SayReply');
      assert.ok(method.replyType.fields.meta !== undefined, 'the imported Meta type came too');
    } finally {
      older.forEach((server) => server.stop());
    }
  });

  it('--data is checked against the type reflection gave, before any RPC', async () => {
    const before = echo.reduce((sum, server) => sum + server.requests.length, 0);
    const outcome = await runCli(['run', '-t', echo[0]!.address, '-n', '5', '--call', ECHO_CALL, '-d', '{"nope":1}']);
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /--data: unknown field "nope" in grpclbprobe\.echo\.SayRequest/);
    assert.equal(echo.reduce((sum, server) => sum + server.requests.length, 0), before);
  });

  it('`serve`\u2019s servers describe helloworld.Greeter and grpc.health.v1.Health by reflection (what grpcurl uses)', async () => {
    for (const service of ['helloworld.Greeter', 'grpc.health.v1.Health']) {
      const files = await fetchFileDescriptors({ target: greeters[0]!.address, lbPolicy: null }, service, { deadlineMs: 5000 });
      const root = rootFromDescriptorSet({ file: files }, '--call', 'reflection');
      assert.notEqual(findMethod(root, service === 'helloworld.Greeter' ? 'helloworld.Greeter/SayHello' : 'grpc.health.v1.Health/Check', 'reflection'), null);
    }
  });

  it('reflection works through the lab\u2019s L7 proxy, as the lab\u2019s printed grpcurl line needs', async () => {
    const proxy = new L7Proxy(() => greeters.map((server) => server.address));
    await proxy.start('127.0.0.1', 0);
    try {
      const method = await resolveMethod('helloworld.Greeter/SayHello', {});
      assert.equal(method.source, 'builtin', 'built-ins come before reflection');
      const files = await fetchFileDescriptors({ target: proxy.address, lbPolicy: null }, 'helloworld.Greeter', { deadlineMs: 5000 });
      assert.ok(files.length >= 1);
    } finally {
      await proxy.close();
    }
  });
});

describe('serve --tls-cert/--tls-key (spawned)', () => {
  it('serves TLS that run --tls --ca-cert reaches, with reflection and the hostname header', async () => {
    let port = 0;
    const serving = runCli(['serve', '--host', '127.0.0.1', '--port', '0', '--hostname', 'tls-pod', '--tls-cert', TLS_CERT, '--tls-key', TLS_KEY, '--drain-ms', '100'], {
      onStderr: (text, child) => {
        const match = /listening on 127\.0\.0\.1:(\d+) \(TLS\)/.exec(text);
        if (match !== null && port === 0) {
          port = Number(match[1]);
          void runCli(['run', '-t', `127.0.0.1:${port}`, '-n', '10', '-o', 'json', '--tls', '--ca-cert', TLS_CERT, '--server-name', 'grpclb-probe.test']).then((outcome) => {
            results.push(outcome);
            return runCli(['run', '-t', `127.0.0.1:${port}`, '-n', '3', '-o', 'json']);
          }).then((outcome) => {
            results.push(outcome);
            child.kill('SIGTERM');
          });
        }
      },
      timeoutMs: 30_000,
    });
    const results: Awaited<ReturnType<typeof runCli>>[] = [];
    const served = await serving;
    assert.equal(served.code, 0, served.stderr);
    assert.equal(results.length, 2);
    const [tls, plaintext] = results;
    assert.equal(tls!.code, 0, tls!.stderr);
    assert.deepEqual(JSON.parse(tls!.stdout).backends.map((backend: { name: string }) => backend.name), ['tls-pod']);
    assert.equal(plaintext!.code, 3, 'plaintext against a TLS server fails');
  });

  it('--tls-cert without --tls-key is a usage error', async () => {
    const outcome = await runCli(['serve', '--port', '0', '--tls-cert', TLS_CERT]);
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /--tls-cert and --tls-key go together/);
  });
});
