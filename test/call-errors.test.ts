import './resolver-env.js';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { GreeterServer } from '../src/server/greeter.js';
import { ECHO_CALL, ECHO_INCLUDE, ECHO_PROTO, echoTarget, startEchoServers, type EchoServer } from './echo-server.js';
import { ipv4Target, runCli, startServers, stopServers } from './helpers.js';

const BROKEN_PROTO = fileURLToPath(new URL('../fixtures/broken.proto', import.meta.url));

describe('bad call input: one line naming the flag, exit 2, before any RPC', () => {
  let plain: EchoServer[];
  let reflecting: EchoServer[];
  before(async () => {
    plain = await startEchoServers(1, { prefix: 'plain' });
    reflecting = await startEchoServers(1, { prefix: 'refl', reflection: true });
  });
  after(() => [...plain, ...reflecting].forEach((server) => server.stop()));

  it('rejects each bad input with its flag named', async () => {
    const target = plain[0]!.address;
    const withProto = ['--proto', ECHO_PROTO, '-i', ECHO_INCLUDE];
    const cases: [string[], RegExp][] = [
      [['--proto', '/nonexistent/echo.proto', '--call', ECHO_CALL], /^grpclb-probe: --proto: \/nonexistent\/echo\.proto: no such file$/],
      [['--proto', BROKEN_PROTO, '--call', 'broken.S/M'], /^grpclb-probe: --proto: does not parse: /],
      [['--proto', ECHO_PROTO, '--call', ECHO_CALL], /^grpclb-probe: --proto: cannot find import meta\/meta\.proto \(add its folder with -i\/--import-path\)$/],
      [[...withProto, '--call', 'grpclbprobe.echo.Echo/Nope'], /^grpclb-probe: --call: grpclbprobe\.echo\.Echo has no method Nope \(methods: Say, Watch\)$/],
      [[...withProto, '--call', 'other.Svc/M'], /^grpclb-probe: --call: service other\.Svc is not in the --proto files \(services there: grpclbprobe\.echo\.Echo\)$/],
      [[...withProto, '--call', 'grpclbprobe.echo.Echo/Watch', '--rps', '5'], /^grpclb-probe: --rps: \/grpclbprobe\.echo\.Echo\/Watch streams; /],
      [['--call', 'no-slash'], /^grpclb-probe: --call: expected pkg\.Service\/Method/],
      [[...withProto, '--call', ECHO_CALL, '-d', '{text:'], /^grpclb-probe: --data: not JSON: /],
      [[...withProto, '--call', ECHO_CALL, '-d', '{"txt":"a"}'], /^grpclb-probe: --data: unknown field "txt" in grpclbprobe\.echo\.SayRequest \(fields: text, repeat, mode, request_id\)$/],
      [[...withProto, '--call', ECHO_CALL, '-d', '{"repeat":"two"}'], /^grpclb-probe: --data: field "repeat" expects int32, got string "two"$/],
      [[...withProto, '--call', ECHO_CALL, '-d', '{"mode":"LOUDER"}'], /^grpclb-probe: --data: field "mode" expects enum Mode \(PLAIN, LOUD\)/],
      [[...withProto, '--call', ECHO_CALL, '-D', '/nonexistent.json'], /^grpclb-probe: -D\/--data-file \/nonexistent\.json: cannot read: ENOENT$/],
      [['--backend-from', 'bogus'], /^grpclb-probe: option '--backend-from <strategy>' argument 'bogus' is invalid\. expected auto, header:NAME/],
      [['--health-service', 'x'], /^grpclb-probe: --health-service needs --call grpc\.health\.v1\.Health\/Check$/],
      [['--call', ECHO_CALL], /^grpclb-probe: --call: server reflection is not served \(12 UNIMPLEMENTED: .*\); give the service's --proto or --protoset$/],
    ];
    const outcomes = await Promise.all(cases.map(([args]) => runCli(['run', '-t', target, '-n', '5', ...args])));
    outcomes.forEach((outcome, index) => {
      const [args, expected] = cases[index]!;
      assert.equal(outcome.code, 2, `${args.join(' ')}: ${outcome.stderr}`);
      const lines = outcome.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${outcome.stderr}`);
      assert.match(lines[0]!, expected);
      assert.equal(outcome.stdout, '', 'no report: nothing ran');
    });
    assert.equal(plain[0]!.requests.length, 0, 'no RPC reached the server');
  });

  it('a service not found by reflection lists what the server has', async () => {
    const outcome = await runCli(['run', '-t', reflecting[0]!.address, '-n', '5', '--call', 'nope.Svc/M']);
    assert.equal(outcome.code, 2, outcome.stderr);
    assert.match(outcome.stderr.trim(), /^grpclb-probe: --call: nope\.Svc not found by server reflection \(the server has: grpclbprobe\.echo\.Echo\); give the service's --proto or --protoset$/);
  });

  it('--backend-from field:PATH is checked against the reply type before any RPC: absent or not a scalar is exit 2 naming it', async () => {
    const cases: [string, RegExp][] = [
      ['no_such_field', /^grpclb-probe: --backend-from field:no_such_field: grpclbprobe\.echo\.SayReply has no field no_such_field$/],
      ['x.y', /^grpclb-probe: --backend-from field:x\.y: grpclbprobe\.echo\.SayReply has no field x$/],
      ['meta', /^grpclb-probe: --backend-from field:meta: grpclbprobe\.echo\.SayReply\.meta is a message \(grpclbprobe\.meta\.Meta\), not a scalar/],
    ];
    const outcomes = await Promise.all(
      cases.map(([path]) => runCli(['run', '-t', plain[0]!.address, '-n', '10', '--proto', ECHO_PROTO, '-i', ECHO_INCLUDE, '--call', ECHO_CALL, '--backend-from', `field:${path}`])),
    );
    outcomes.forEach((outcome, index) => {
      assert.equal(outcome.code, 2, outcome.stderr);
      assert.match(outcome.stderr.trim(), cases[index]![1]);
      assert.equal(outcome.stdout, '');
    });
    assert.equal(plain[0]!.requests.length, 0, 'no RPC reached the server');
  });
});

describe('exit 3: rejected is not unavailable', () => {
  let greeters: GreeterServer[];
  before(async () => {
    greeters = await startServers(3, 'rej');
  });
  after(() => stopServers(greeters));

  it('three servers answering UNIMPLEMENTED are three backends that rejected every call, with a hint; the report prints first', async () => {
    const outcome = await runCli(['run', '-t', ipv4Target(greeters), '--lb-policy', 'round_robin', '-n', '30', '--proto', ECHO_PROTO, '-i', ECHO_INCLUDE, '--call', ECHO_CALL, '-o', 'json']);
    assert.equal(outcome.code, 3, outcome.stderr);
    assert.match(
      outcome.stderr.trim(),
      /^grpclb-probe: no RPC to ipv4:.* succeeded \(30 failed\): the target answered but rejected every call with 12 UNIMPLEMENTED: .* \(3 backends answered\); hint: check --call/m,
    );
    const json = JSON.parse(outcome.stdout);
    assert.equal(json.backends.length, 3);
    assert.equal(json.backends.reduce((sum: number, backend: { failed: number }) => sum + backend.failed, 0), 30);
    // grpc-js rejects an unknown method before any handler runs, so no hostname header: named by peer.
    assert.deepEqual(json.backends.map((backend: { name: string }) => backend.name).sort(), greeters.map((server) => server.address).sort());
  });

  it('nothing listening is "target unavailable"', async () => {
    // The run waits for a ready channel first (--connect-timeout, issue 9) and names the connection error.
    const outcome = await runCli(['run', '-t', '127.0.0.1:1', '-n', '3', '--connect-timeout', '1s']);
    assert.equal(outcome.code, 3);
    assert.match(outcome.stderr, /cannot connect to 127\.0\.0\.1:1 within [\d.]+ s \(--connect-timeout\): 14 UNAVAILABLE/);
  });

  it('the unchanged example Greeter behind 3 addresses is 3 backends by peer, not one "Hello" backend', async () => {
    const plainGreeters = await startServers(3, 'hello', { reportHostname: false });
    try {
      const outcome = await runCli(['run', '-t', ipv4Target(plainGreeters), '--lb-policy', 'round_robin', '-n', '60', '-o', 'json']);
      assert.equal(outcome.code, 0, outcome.stderr);
      const json = JSON.parse(outcome.stdout);
      assert.deepEqual(json.backends.map((backend: { name: string }) => backend.name), plainGreeters.map((server) => server.address).sort());
      assert.equal(json.diagnosis.verdict, 'BALANCED');
    } finally {
      stopServers(plainGreeters);
    }
  });
});

describe('echo servers do not count as the failing case', () => {
  it('a working --proto call exits 0 (control for the cases above)', async () => {
    const servers = await startEchoServers(1);
    try {
      const outcome = await runCli(['run', '-t', echoTarget(servers), '-n', '5', '--proto', ECHO_PROTO, '-i', ECHO_INCLUDE, '--call', ECHO_CALL, '-d', '{"text":"ok","repeat":"3","mode":1}']);
      assert.equal(outcome.code, 0, outcome.stderr);
      assert.equal(servers[0]!.requests[0]!.repeat, 3);
    } finally {
      servers.forEach((server) => server.stop());
    }
  });
});
