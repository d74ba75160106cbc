import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { argvNeedsAlternativeResolver } from '../src/grpc/alternative-resolver.js';
import { parseTarget, resolveTargetAddresses, TargetError } from '../src/grpc/target.js';

describe('parseTarget, as grpc-js reads targets', () => {
  it('treats host:port and unknown schemes as dns over the whole string', () => {
    assert.deepEqual(parseTarget('10.0.0.7:50051'), {
      target: '10.0.0.7:50051',
      scheme: 'dns',
      dnsServer: null,
      host: '10.0.0.7',
      port: 50051,
      portDefaulted: false,
      staticAddresses: ['10.0.0.7:50051'],
    });
    assert.equal(parseTarget('greeter.shop.svc.cluster.local:50051').staticAddresses, null);
    assert.equal(parseTarget('greeter:50051').host, 'greeter');
  });

  it('reads the DNS authority and defaults the port to 443', () => {
    const info = parseTarget('dns://127.0.0.1:5353/greeter.lab');
    assert.equal(info.dnsServer, '127.0.0.1:5353');
    assert.equal(info.host, 'greeter.lab');
    assert.equal(info.port, 443);
    assert.equal(info.portDefaulted, true);
    assert.equal(parseTarget('dns:///greeter:50051').dnsServer, null);
  });

  it('lists ipv4: and ipv6: addresses', () => {
    assert.deepEqual(parseTarget('ipv4:127.0.0.1:1,127.0.0.2:2').staticAddresses, ['127.0.0.1:1', '127.0.0.2:2']);
    assert.deepEqual(parseTarget('ipv6:[::1]:50051').staticAddresses, ['[::1]:50051']);
    assert.throws(() => parseTarget('ipv4:not-an-ip:1'), TargetError);
  });

  it('knows unix targets have no IP addresses, and rejects empty ones', async () => {
    const info = parseTarget('unix:/tmp/greeter.sock');
    assert.equal(info.scheme, 'unix');
    assert.equal(await resolveTargetAddresses(info), null);
    assert.throws(() => parseTarget(' '), TargetError);
  });
});

describe('argvNeedsAlternativeResolver', () => {
  it('is on for the lab and for targets with a DNS authority, off otherwise', () => {
    assert.equal(argvNeedsAlternativeResolver(['run']), true);
    assert.equal(argvNeedsAlternativeResolver(['run', '--target', 'dns://10.96.0.10/greeter:50051']), true);
    assert.equal(argvNeedsAlternativeResolver(['run', '--target=dns://10.96.0.10:53/greeter:50051']), true);
    assert.equal(argvNeedsAlternativeResolver(['run', '-t', 'greeter.shop:50051']), false);
    assert.equal(argvNeedsAlternativeResolver(['run', '-t', 'dns:///greeter:50051']), false);
  });
});
