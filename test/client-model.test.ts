import './resolver-env.js';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import * as parse from '../src/cli/parse.js';
import { UsageError } from '../src/cli/errors.js';
import { validateRunFlags, type RunFlags } from '../src/cli/run-flags.js';
import { runProbe } from '../src/engine/probe.js';
import { ChannelConfigError, requestedLbPolicy, serviceConfigText } from '../src/grpc/channel.js';
import type { GreeterServer } from '../src/server/greeter.js';
import { ipv4Target, runCli, startServers, stopServers } from './helpers.js';

describe('--channel-arg and --service-config parsing', () => {
  it('channel args: numbers as numbers, strings for string options, later keys win', () => {
    let args = parse.channelArg('grpc.dns_min_time_between_resolutions_ms=1000');
    args = parse.channelArg('grpc.primary_user_agent=probe/1', args);
    args = parse.channelArg('grpc.dns_min_time_between_resolutions_ms=500', args);
    assert.deepEqual(args, { 'grpc.dns_min_time_between_resolutions_ms': 500, 'grpc.primary_user_agent': 'probe/1' });
  });

  it('channel args: unknown keys, wrong value kinds and the probe\u2019s own keys are rejected', () => {
    assert.throws(() => parse.channelArg('grpc.dns_min_time_between_resolution_ms=5'), /unknown grpc-js channel argument.*did you mean grpc\.dns_min_time_between_resolutions_ms/);
    assert.throws(() => parse.channelArg('grpc.keepalive_time_ms=soon'), /takes a number/);
    assert.throws(() => parse.channelArg('grpc.keepalive_time_ms'), /KEY=VALUE/);
    assert.throws(() => parse.channelArg('grpc.service_config={}'), /--service-config/);
    assert.throws(() => parse.channelArg('x=1'), InvalidArgumentError);
  });

  it('service config: JSON or @FILE, checked as grpc-js checks it', () => {
    const config = { loadBalancingConfig: [{ round_robin: {} }] };
    assert.deepEqual(parse.serviceConfig(JSON.stringify(config)), config);
    const file = join(mkdtempSync(join(tmpdir(), 'grpclb-probe-')), 'sc.json');
    writeFileSync(file, JSON.stringify(config));
    assert.deepEqual(parse.serviceConfig(`@${file}`), config);
    assert.throws(() => parse.serviceConfig('{nope'), /not JSON/);
    assert.throws(() => parse.serviceConfig('[]'), /JSON object/);
    assert.throws(() => parse.serviceConfig('{"loadBalancingConfig":[{"no_such_policy":{}}]}'), /no LB policy grpc-js knows/);
    assert.throws(() => parse.serviceConfig('{"methodConfig":[{"name":[{"service":"x"}],"retryPolicy":{"maxAttempts":1}}]}'), /maxAttempts/);
    assert.throws(() => parse.serviceConfig('@/nonexistent/sc.json'), /cannot read/);
  });

  it('--lb-policy conflicts with a loadBalancingConfig, and is the short form of one', () => {
    const flags = { concurrency: 1, channels: 1, interval: 1000, deadlineMs: 1000, output: 'table', target: '127.0.0.1:1' } as RunFlags;
    assert.throws(
      () => validateRunFlags({ ...flags, lbPolicy: 'round_robin', serviceConfig: { loadBalancingConfig: [{ pick_first: {} }] } }),
      (error: Error) => error instanceof UsageError && /--lb-policy/.test(error.message) && /--service-config/.test(error.message),
    );
    assert.doesNotThrow(() => validateRunFlags({ ...flags, lbPolicy: 'round_robin', serviceConfig: { methodConfig: [] } }));
    assert.throws(() => validateRunFlags({ ...flags, target: undefined, serviceConfig: {} }), /--service-config needs --target/);
    assert.throws(() => serviceConfigText({ lbPolicy: 'round_robin', serviceConfig: { loadBalancingConfig: [] } }), ChannelConfigError);
    assert.deepEqual(JSON.parse(serviceConfigText({ lbPolicy: 'round_robin', serviceConfig: { methodConfig: [] } }) ?? ''), {
      methodConfig: [],
      loadBalancingConfig: [{ round_robin: {} }],
    });
    assert.equal(requestedLbPolicy({ lbPolicy: null, serviceConfig: { loadBalancingConfig: [{ unknown_one: {} }, { round_robin: {} }] } }), 'round_robin');
  });
});

describe('the client model reaches the channel', () => {
  let servers: GreeterServer[];
  before(async () => {
    servers = await startServers(3, 'model');
  });
  after(() => stopServers(servers));

  it('a channel arg changes what the channel does (a 1-byte receive limit fails every RPC)', async () => {
    const load = { calls: 20, durationMs: null, concurrency: 2, deadlineMs: 2000, target: ipv4Target(servers), lbPolicy: null };
    const limited = await runProbe({ ...load, channelArgs: { 'grpc.max_receive_message_length': 1 } });
    assert.equal(limited.rpcs.ok, 0);
    assert.equal(limited.rpcs.byStatus.RESOURCE_EXHAUSTED, 20);
    assert.deepEqual(limited.channelArgs, { 'grpc.max_receive_message_length': 1 });
    const plain = await runProbe(load);
    assert.equal(plain.rpcs.ok, 20);
    assert.deepEqual(plain.channelArgs, {});
    assert.equal(plain.serviceConfig, null);
  });

  it('a service config\u2019s loadBalancingConfig picks the policy, echoed in the result', async () => {
    const serviceConfig = { loadBalancingConfig: [{ round_robin: {} }] };
    const result = await runProbe({ calls: 60, durationMs: null, concurrency: 1, deadlineMs: 2000, target: ipv4Target(servers), lbPolicy: null, serviceConfig });
    assert.equal(result.backends.length, 3);
    assert.equal(result.lbPolicy, 'round_robin');
    assert.deepEqual(result.serviceConfig, serviceConfig);
  });

  it('CLI: both echoed in the table and the JSON; invalid values exit 2 naming the flag', async () => {
    const args = ['run', '-t', ipv4Target(servers), '-n', '30', '--channel-arg', 'grpc.dns_min_time_between_resolutions_ms=1000', '--service-config', '{"loadBalancingConfig":[{"round_robin":{}}]}'];
    const table = await runCli(args);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /channel args grpc\.dns_min_time_between_resolutions_ms=1000; service config \{"loadBalancingConfig"/);
    const json = await runCli([...args, '-o', 'json']);
    const parsed = JSON.parse(json.stdout);
    assert.deepEqual(parsed.channelArgs, { 'grpc.dns_min_time_between_resolutions_ms': 1000 });
    assert.deepEqual(parsed.serviceConfig, { loadBalancingConfig: [{ round_robin: {} }] });
    assert.equal(parsed.lbPolicy, 'round_robin');
    for (const [flag, value] of [
      ['--channel-arg', 'grpc.nope=1'],
      ['--channel-arg', 'grpc.keepalive_time_ms=abc'],
      ['--service-config', '{"loadBalancingConfig":'],
    ] as const) {
      const outcome = await runCli(['run', '-t', ipv4Target(servers), '-n', '5', flag, value]);
      assert.equal(outcome.code, 2, outcome.stderr);
      assert.match(outcome.stderr, new RegExp(flag));
      assert.equal(outcome.stderr.trim().split('\n').length, 1, outcome.stderr);
    }
    const conflict = await runCli(['run', '-t', ipv4Target(servers), '--lb-policy', 'pick_first', '--service-config', '{"loadBalancingConfig":[{"round_robin":{}}]}']);
    assert.equal(conflict.code, 2);
    assert.match(conflict.stderr, /--lb-policy and a loadBalancingConfig in --service-config/);
  });
});
