// Peers that misbehave below gRPC, on loopback: a TCP listener that accepts and never speaks, a
// DNS server that never answers, an HTTP/2 server that refuses every stream, and a signal during
// the discovery sweep. Each run ends by itself, near --connect-timeout, with the documented code.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { constants as http2Constants, createServer as createHttp2Server, type Http2Server } from 'node:http2';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import grpc from '@grpc/grpc-js';
import { greeterService } from '../src/grpc/proto.js';
import { oneLine, runCli } from './helpers.js';

const portOf = (server: { address(): AddressInfo | string | null }): number => (server.address() as AddressInfo).port;

/**
 * How long the CLI may run past --connect-timeout once it starts connecting, ms. The old code
 * spent 2 s more on a last-error RPC (and 2 s more on a DNS query it could not cancel); the
 * clock starts at the first packet the peer sees, so module loading on a busy machine is not in it.
 */
const OVERRUN_BOUND_MS = 1500;

describe('peers that never answer (spawned)', { concurrency: 3 }, () => {
  let silent: Server;
  let dns: UdpSocket;
  let refusing: Http2Server;
  const held: Socket[] = [];
  // When the peer first heard from the CLI, performance.now() ms.
  let acceptedAt = Number.NaN;
  let queriedAt = Number.NaN;
  let streamsRefused = 0;
  before(async () => {
    silent = createTcpServer((socket) => {
      acceptedAt = Number.isNaN(acceptedAt) ? performance.now() : acceptedAt;
      held.push(socket);
    });
    dns = createSocket('udp4');
    dns.on('message', () => (queriedAt = Number.isNaN(queriedAt) ? performance.now() : queriedAt));
    refusing = createHttp2Server();
    refusing.on('stream', (stream) => {
      streamsRefused += 1;
      stream.on('error', () => undefined);
      stream.close(http2Constants.NGHTTP2_REFUSED_STREAM);
    });
    await Promise.all([
      new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve)),
      new Promise<void>((resolve) => dns.bind(0, '127.0.0.1', resolve)),
      new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve)),
    ]);
  });
  after(() => {
    for (const socket of held) socket.destroy();
    silent.close();
    dns.close();
    refusing.close();
  });

  it('a listener that accepts and never speaks: exit 3 within --connect-timeout, saying it is still connecting', async () => {
    const outcome = await runCli(['run', '-t', `127.0.0.1:${portOf(silent)}`, '-n', '3', '--connect-timeout', '2s', '-q']);
    const overrunMs = performance.now() - acceptedAt - 2000;
    assert.equal(outcome.code, 3, outcome.stderr);
    assert.match(oneLine(outcome.stderr), /within 2\.0 s \(--connect-timeout\): still connecting: no HTTP\/2 handshake/);
    assert.ok(overrunMs < OVERRUN_BOUND_MS, `ended ${Math.round(overrunMs)} ms after the connect timeout`);
  });

  it('a DNS server that never answers: exit 3 within --connect-timeout, saying name resolution never finished', async () => {
    const outcome = await runCli(['run', '-t', `dns://127.0.0.1:${dns.address().port}/greeter.test:50051`, '-n', '3', '--connect-timeout', '2s', '-q', '--k8s', 'off']);
    // The clock starts at the first query (the probe's own lookup of the target, just before the
    // channel's); --k8s off keeps a Kubernetes lookup from sitting between the two.
    const overrunMs = performance.now() - queriedAt - 2000;
    assert.equal(outcome.code, 3, outcome.stderr);
    assert.match(oneLine(outcome.stderr), /within 2\.0 s \(--connect-timeout\): name resolution never finished/);
    assert.ok(overrunMs < OVERRUN_BOUND_MS, `ended ${Math.round(overrunMs)} ms after the connect timeout`);
  });

  it('a server that refuses every stream: the run stops after --connect-timeout with exit 3, its failures reported', async () => {
    const outcome = await runCli(['run', '-t', `127.0.0.1:${portOf(refusing)}`, '-n', '300', '--connect-timeout', '2s', '-o', 'json', '-q']);
    assert.equal(outcome.code, 3, outcome.stderr);
    assert.match(oneLine(outcome.stderr), /stopped after 2\.\d s \(--connect-timeout\) with no RPC reaching a server\): target unavailable: 14 UNAVAILABLE: Stream refused by server/);
    const json = JSON.parse(outcome.stdout);
    assert.equal(json.stopReason, 'refused');
    assert.equal(json.rpcs.ok, 0);
    // The closed loop backs off after each refusal: a handful in 2 s, far from the 300 asked for.
    assert.ok(json.rpcs.failed >= 1 && json.rpcs.failed < 50, JSON.stringify(json.rpcs));
    assert.ok(streamsRefused >= json.rpcs.failed, `${streamsRefused} streams refused`);
  });
});

describe('a signal during the discovery sweep (spawned)', () => {
  let server: grpc.Server;
  let port = 0;
  let calls = 0;
  let onSweep: () => void = () => undefined;
  before(async () => {
    server = new grpc.Server();
    server.addService(greeterService.Greeter.service, {
      // The run's one RPC is answered at once; the sweep's, later, so a signal lands during it.
      SayHello: (_call: unknown, callback: grpc.sendUnaryData<{ message: string }>) => {
        calls += 1;
        if (calls === 1) {
          callback(null, { message: 'hostname:pod-1' });
          return;
        }
        onSweep();
        setTimeout(() => callback(null, { message: 'hostname:pod-1' }), 1500);
      },
    });
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))),
    );
  });
  after(() => server.forceShutdown());

  it('SIGTERM during the sweep: exit 130, the run reported as interrupted', async () => {
    const outcome = await runCli(['run', '-t', `127.0.0.1:${port}`, '-n', '1', '--discover', '2', '--deadline-ms', '5000', '-o', 'json', '-q'], {
      timeoutMs: 20_000,
      onSpawn: (child) => (onSweep = () => child.kill('SIGTERM')),
    });
    assert.equal(outcome.code, 130, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.equal(json.stopReason, 'interrupted');
    assert.equal(json.rpcs.ok, 1);
    assert.ok(calls >= 2, `the sweep sent ${calls - 1} RPCs`);
  });
});
