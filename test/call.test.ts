import './resolver-env.js';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { analyze } from '../src/analysis/analyze.js';
import { runProbe, type ProbeCall } from '../src/engine/probe.js';
import { encodeRequest, loadProtoFiles, resolveMethod } from '../src/grpc/method.js';
import { L7Proxy } from '../src/lab/l7-proxy.js';
import { ECHO_CALL, ECHO_INCLUDE, ECHO_PROTO, echoTarget, startEchoServers, type EchoServer } from './echo-server.js';
import { runCli } from './helpers.js';

const load = { calls: 90, durationMs: null, concurrency: 3, deadlineMs: 2000 } as const;

async function echoCall(json: string): Promise<ProbeCall> {
  const method = await resolveMethod(ECHO_CALL, { protoFiles: [ECHO_PROTO], importPaths: [ECHO_INCLUDE] });
  return { method, request: encodeRequest(method, json) };
}

describe('a custom service from --proto', () => {
  let named: EchoServer[];
  let plain: EchoServer[];
  before(async () => {
    named = await startEchoServers(3, { prefix: 'echo' });
    plain = await startEchoServers(3, { identity: false });
  });
  after(() => [...named, ...plain].forEach((server) => server.stop()));

  it('spreads over 3 servers with round_robin; auto names backends by the reply field pod; the request arrives as given', async () => {
    const call = await echoCall('{"text":"hi","repeat":2,"mode":"LOUD","requestId":"9007199254740993"}');
    const result = await runProbe({ ...load, target: echoTarget(named), lbPolicy: 'round_robin', call });
    assert.equal(result.rpcs.ok, 90);
    assert.deepEqual(result.backends.map((backend) => backend.name), ['echo-1', 'echo-2', 'echo-3']);
    for (const backend of result.backends) assert.ok(Math.abs(backend.rpcs - 30) <= 12, `${backend.name} ${backend.rpcs}`);
    assert.equal(result.identity?.used, 'field:pod');
    assert.equal(result.method, `/${ECHO_CALL}`);
    const request = named[0]!.requests[0]!;
    assert.equal(request.text, 'hi');
    assert.equal(request.repeat, 2);
    assert.equal(request.mode, 1, 'LOUD');
    assert.equal(String(request.request_id), '9007199254740993');
  });

  it('--backend-from field:meta.pod_name reads a nested field', async () => {
    const call = await echoCall('{"text":"hi"}');
    const result = await runProbe({ ...load, target: echoTarget(named), lbPolicy: 'round_robin', call, backendFrom: { kind: 'field', path: 'meta.pod_name' } });
    assert.deepEqual(result.backends.map((backend) => backend.name), ['echo-1', 'echo-2', 'echo-3']);
  });

  it('--backend-from header:NAME absent from the replies: named by peer, with a note', async () => {
    const call = await echoCall('{"text":"hi"}');
    const result = await runProbe({ ...load, calls: 30, target: echoTarget(named), lbPolicy: 'round_robin', call, backendFrom: { kind: 'header', name: 'x-pod' } });
    assert.deepEqual(result.backends.map((backend) => backend.name), named.map((server) => server.address).sort());
    assert.deepEqual(result.identity?.notes, ['--backend-from header:x-pod: absent from 30 replies; those are named by peer']);
  });

  it('identical replies without identity from 3 peers are 3 backends, named by peer', async () => {
    const call = await echoCall('{"text":"same"}');
    const result = await runProbe({ ...load, target: echoTarget(plain), lbPolicy: 'round_robin', call });
    assert.deepEqual(result.backends.map((backend) => backend.name), plain.map((server) => server.address).sort());
    assert.equal(result.identity?.used, 'peer');
    const report = analyze(result, { expectedBackends: 3, resolvedAddresses: null, topology: null });
    assert.equal(report.diagnosis.verdict, 'BALANCED');
    assert.ok(report.diagnosis.notes.some((note) => /told apart by peer/.test(note)), report.diagnosis.notes.join('; '));
  });

  it('through the lab\u2019s L7 proxy, identical replies give UNKNOWN, and --expect balanced fails on it', async () => {
    const proxy = new L7Proxy(() => plain.map((server) => server.address));
    await proxy.start('127.0.0.1', 0);
    try {
      const call = await echoCall('{"text":"same"}');
      const result = await runProbe({ ...load, target: proxy.address, lbPolicy: null, call });
      assert.equal(result.rpcs.ok, 90);
      const report = analyze(result, { expectedBackends: null, resolvedAddresses: [proxy.address], topology: null, gates: { expect: 'balanced' } });
      assert.equal(report.diagnosis.verdict, 'UNKNOWN');
      assert.match(report.diagnosis.cause, new RegExp(`to one address \\(${proxy.address.replace(/\./g, '\\.')}\\)`));
      assert.match(report.diagnosis.fix ?? '', /--backend-from header:NAME/);
      assert.equal(report.gates[0]?.passed, false);
    } finally {
      await proxy.close();
    }
  });

  it('--protoset: a FileDescriptorSet built from the proto finds the same method', async () => {
    const root = loadProtoFiles([ECHO_PROTO], [ECHO_INCLUDE]);
    const set = (root as unknown as { toDescriptor(syntax: string): protobuf.Message }).toDescriptor('proto3');
    const file = join(mkdtempSync(join(tmpdir(), 'grpclb-probe-')), 'echo.protoset');
    writeFileSync(file, descriptor.FileDescriptorSet.encode(set).finish());
    const method = await resolveMethod(ECHO_CALL, { protoset: file });
    assert.equal(method.source, 'protoset');
    const result = await runProbe({ ...load, target: echoTarget(named), lbPolicy: 'round_robin', call: { method, request: encodeRequest(method, '{"text":"x"}') } });
    assert.deepEqual(result.backends.map((backend) => backend.name), ['echo-1', 'echo-2', 'echo-3']);
  });

  it('the CLI: --proto -i --call -d over 3 servers, JSON names the pods', async () => {
    const outcome = await runCli([
      'run', '-t', echoTarget(named), '--lb-policy', 'round_robin', '-n', '60', '-o', 'json',
      '--proto', ECHO_PROTO, '-i', ECHO_INCLUDE, '--call', 'grpclbprobe.echo.Echo.Say', '-d', '{"text":"cli"}', '--expect-backends', '3',
    ]);
    assert.equal(outcome.code, 0, outcome.stderr);
    const json = JSON.parse(outcome.stdout);
    assert.deepEqual(json.backends.map((backend: { name: string }) => backend.name), ['echo-1', 'echo-2', 'echo-3']);
    assert.equal(json.method, `/${ECHO_CALL}`);
    assert.deepEqual(json.identity, { asked: 'auto', used: 'field:pod', namedByPeer: 0, notes: [] });
  });
});
