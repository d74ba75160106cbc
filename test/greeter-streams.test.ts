// The Greeter's streaming methods on real loopback servers: every message and the headers name
// the host, bidi answers each request, the server-streaming reply count, and GOAWAY then grace.
import { startServers, stopServers } from './helpers.js';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import grpc from '@grpc/grpc-js';
import { greeterService, type HelloReply } from '../src/grpc/proto.js';
import type { GreeterServer } from '../src/server/greeter.js';

const started: GreeterServer[] = [];
after(() => stopServers(started));

type GreeterClient = grpc.Client & {
  SayHelloStreamReply(request: { name: string }): grpc.ClientReadableStream<HelloReply>;
  SayHelloBidiStream(): grpc.ClientDuplexStream<{ name: string }, HelloReply>;
};

function clientOf(server: GreeterServer): GreeterClient {
  const Greeter = grpc.makeGenericClientConstructor(greeterService.Greeter.service, 'Greeter');
  return new Greeter(server.address, grpc.credentials.createInsecure()) as unknown as GreeterClient;
}

/** Reads a stream until it ends; resolves with the messages, the hostname header and the status code. */
function drain(stream: grpc.ClientReadableStream<HelloReply> | grpc.ClientDuplexStream<{ name: string }, HelloReply>): Promise<{ messages: string[]; header: string | undefined; code: number }> {
  const messages: string[] = [];
  let header: string | undefined;
  stream.on('metadata', (metadata: grpc.Metadata) => (header = metadata.get('hostname')[0] as string | undefined));
  stream.on('data', (reply: HelloReply) => messages.push(reply.message));
  return new Promise((resolve) => {
    stream.on('error', () => {});
    stream.on('status', (status: grpc.StatusObject) => resolve({ messages, header, code: status.code }));
  });
}

test('SayHelloStreamReply sends --stream-messages replies naming the host, then ends with OK', async () => {
  const [server] = await startServers(1, 'stream', { streamIntervalMs: 0, streamMessages: 5 });
  started.push(server!);
  const client = clientOf(server!);
  const outcome = await drain(client.SayHelloStreamReply({ name: 'probe' }));
  client.close();
  assert.equal(outcome.code, grpc.status.OK);
  assert.equal(outcome.header, 'stream-1');
  assert.deepEqual(outcome.messages, Array(5).fill('hostname:stream-1, in:probe'));
  assert.equal(server!.streams.openStreams, 0);
});

test('SayHelloBidiStream answers each request and ends when the client does', async () => {
  const [server] = await startServers(1, 'bidi');
  started.push(server!);
  const client = clientOf(server!);
  const stream = client.SayHelloBidiStream();
  const outcome = drain(stream);
  for (const name of ['a', 'b', 'c']) stream.write({ name });
  stream.end();
  const { messages, header, code } = await outcome;
  client.close();
  assert.equal(code, grpc.status.OK);
  assert.equal(header, 'bidi-1');
  assert.deepEqual(messages, ['hostname:bidi-1, in:a', 'hostname:bidi-1, in:b', 'hostname:bidi-1, in:c']);
});

test('max connection age: a stream open at the GOAWAY runs through the grace, then the connection closes', async () => {
  const [server] = await startServers(1, 'aged', { streamIntervalMs: 20, maxConnectionAgeMs: 300, maxConnectionAgeGraceMs: 400 });
  started.push(server!);
  const client = clientOf(server!);
  const outcome = await drain(client.SayHelloStreamReply({ name: 'long' }));
  client.close();
  // Open until about age + grace (270..730 ms at 20 ms a reply): well past the GOAWAY, then cut.
  assert.notEqual(outcome.code, grpc.status.OK);
  assert.ok(outcome.messages.length >= 15 && outcome.messages.length <= 45, `${outcome.messages.length} messages`);
  assert.equal(server!.streams.openStreams, 0);
});

test('a stream is cut by kill() without leaving timers behind', async () => {
  const [server] = await startServers(1, 'killed', { streamIntervalMs: 10 });
  const client = clientOf(server!);
  const stream = client.SayHelloStreamReply({ name: 'x' });
  const outcome = drain(stream);
  await new Promise((resolve) => stream.once('data', resolve));
  assert.equal(server!.streams.openStreams, 1);
  server!.kill();
  const { code } = await outcome;
  client.close();
  assert.notEqual(code, grpc.status.OK);
  assert.equal(server!.streams.openStreams, 0);
});
