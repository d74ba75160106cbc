import './resolver-env.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import http2 from 'node:http2';
import grpc from '@grpc/grpc-js';
import { runProbe } from '../src/engine/probe.js';
import { createClient } from '../src/grpc/channel.js';
import { greeterService, sayHello, type HelloReply, type HelloRequest } from '../src/grpc/proto.js';
import { L7Proxy } from '../src/lab/l7-proxy.js';
import type { GreeterServer } from '../src/server/greeter.js';
import { startServers, stopServers } from './helpers.js';

/** A backend whose SayHello fails with a status, a message and trailing metadata. */
async function startFailingBackend(): Promise<{ server: grpc.Server; address: string }> {
  const server = new grpc.Server();
  server.addService(greeterService.Greeter.service, {
    SayHello: (_call: grpc.ServerUnaryCall<HelloRequest, HelloReply>, callback: grpc.sendUnaryData<HelloReply>) => {
      const trailers = new grpc.Metadata();
      trailers.set('x-reason', 'quota');
      trailers.set('x-detail-bin', Buffer.from([0, 1, 2, 255]));
      callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'quota 100% used: retry in 5 s, ünïcode ok', metadata: trailers });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, address: `127.0.0.1:${port}` };
}

function sayHelloOnce(
  client: grpc.Client,
  deadlineMs: number,
): { call: grpc.ClientUnaryCall; done: Promise<{ error: grpc.ServiceError | null; reply?: HelloReply }> } {
  let call!: grpc.ClientUnaryCall;
  const done = new Promise<{ error: grpc.ServiceError | null; reply?: HelloReply }>((resolve) => {
    call = client.makeUnaryRequest(
      sayHello.path,
      sayHello.requestSerialize,
      sayHello.responseDeserialize,
      { name: 'fidelity' },
      new grpc.Metadata(),
      { deadline: Date.now() + deadlineMs },
      (error, reply) => resolve({ error: error ?? null, reply }),
    );
  });
  return { call, done };
}

async function startProxy(endpoints: () => string[]): Promise<L7Proxy> {
  const proxy = new L7Proxy(endpoints);
  await proxy.start('127.0.0.1', 0);
  return proxy;
}

describe('L7 proxy fidelity', () => {
  it('passes a failing RPC through with its status, message and trailing metadata', async () => {
    const backend = await startFailingBackend();
    const proxy = await startProxy(() => [backend.address]);
    const client = createClient({ target: proxy.address, lbPolicy: null });
    try {
      const { error } = await sayHelloOnce(client, 2000).done;
      assert.ok(error !== null);
      assert.equal(error.code, grpc.status.RESOURCE_EXHAUSTED);
      assert.equal(error.details, 'quota 100% used: retry in 5 s, ünïcode ok');
      assert.deepEqual(error.metadata.get('x-reason'), ['quota']);
      assert.deepEqual(error.metadata.get('x-detail-bin'), [Buffer.from([0, 1, 2, 255])]);
    } finally {
      client.close();
      await proxy.close();
      backend.server.forceShutdown();
    }
  });

  describe('with slow backends', () => {
    let servers: GreeterServer[];
    let proxy: L7Proxy;
    before(async () => {
      servers = await startServers(2, 'slow', { delayMs: 400 });
      proxy = await startProxy(() => servers.map((server) => server.address));
    });
    after(async () => {
      await proxy.close();
      stopServers(servers);
    });

    it('a deadline shorter than the backend delay gives DEADLINE_EXCEEDED, and the proxy keeps serving', async () => {
      const client = createClient({ target: proxy.address, lbPolicy: null });
      try {
        const short = await sayHelloOnce(client, 100).done;
        assert.equal(short.error?.code, grpc.status.DEADLINE_EXCEEDED);
        const long = await sayHelloOnce(client, 3000).done;
        assert.equal(long.error, null);
        assert.match(long.reply?.message ?? '', /^hostname:slow-\d, in:fidelity$/);
      } finally {
        client.close();
      }
    });

    it('a client cancel reaches the backend as a cancelled RPC', async () => {
      const client = createClient({ target: proxy.address, lbPolicy: null });
      const cancelledBefore = servers.reduce((sum, server) => sum + server.rpcsCancelled, 0);
      try {
        const { call, done } = sayHelloOnce(client, 5000);
        setTimeout(() => call.cancel(), 100);
        assert.equal((await done).error?.code, grpc.status.CANCELLED);
        const deadline = Date.now() + 2000;
        while (servers.reduce((sum, server) => sum + server.rpcsCancelled, 0) === cancelledBefore && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.equal(servers.reduce((sum, server) => sum + server.rpcsCancelled, 0), cancelledBefore + 1);
      } finally {
        client.close();
      }
    });
  });

  it('sends a stream the backend refused (REFUSED_STREAM, as in a GOAWAY race) to another backend', async () => {
    const refuser = http2.createServer();
    refuser.on('stream', (stream) => {
      stream.on('error', () => undefined); // closing with an error code also emits it here
      stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    });
    await new Promise<void>((resolve) => refuser.listen(0, '127.0.0.1', resolve));
    const refuserAddress = `127.0.0.1:${(refuser.address() as { port: number }).port}`;
    const [good] = await startServers(1, 'good');
    const proxy = await startProxy(() => [refuserAddress, good!.address]);
    try {
      const result = await runProbe({ target: proxy.address, lbPolicy: null, calls: 40, durationMs: null, concurrency: 1, deadlineMs: 2000 });
      assert.equal(result.rpcs.ok, 40, JSON.stringify(result.errors));
      assert.deepEqual(result.backends.map((backend) => backend.name), ['good-1']);
      assert.ok(proxy.retries >= 15, `retries: ${proxy.retries}`);
    } finally {
      await proxy.close();
      stopServers([good!]);
      refuser.close();
    }
  });

  it('loses no RPC over 2,000 calls while backends send GOAWAY every second', async () => {
    const servers = await startServers(3, 'aging', { maxConnectionAgeMs: 1000, maxConnectionAgeGraceMs: 5000 });
    const proxy = await startProxy(() => servers.map((server) => server.address));
    try {
      const result = await runProbe({
        target: proxy.address,
        lbPolicy: null,
        calls: 2000,
        durationMs: null,
        concurrency: 8,
        rps: 800,
        deadlineMs: 5000,
      });
      assert.equal(result.rpcs.failed, 0, JSON.stringify(result.errors));
      assert.equal(result.rpcs.ok, 2000);
      assert.equal(result.backends.length, 3);
      // Proof the GOAWAYs happened: sessions were reopened after the first three.
      assert.ok(proxy.sessionsOpened >= 6, `sessions opened: ${proxy.sessionsOpened}`);
    } finally {
      await proxy.close();
      stopServers(servers);
    }
  });
});
