import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { promises as dns } from 'node:dns';
import { after, before, describe, it } from 'node:test';
import { DnsServer } from '../src/lab/dns-server.js';

describe('the lab DNS server', () => {
  let server: DnsServer;
  let resolver: dns.Resolver;
  let records = ['127.0.10.1', '127.0.10.2'];
  before(async () => {
    server = new DnsServer((name) => (name === 'greeter.ns.svc.cluster.local' ? records : null));
    await server.start('127.0.0.1', 0);
    resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([server.address]);
  });
  after(() => server.close());

  it('answers A queries with one record per address and a 5 s TTL', async () => {
    const answers = await resolver.resolve4('greeter.ns.svc.cluster.local', { ttl: true });
    assert.deepEqual(answers, [
      { address: '127.0.10.1', ttl: 5 },
      { address: '127.0.10.2', ttl: 5 },
    ]);
  });

  it('follows the record source at every query, case-insensitively', async () => {
    records = ['127.0.10.1', '127.0.10.2', '127.0.10.3'];
    assert.deepEqual(await resolver.resolve4('Greeter.NS.svc.cluster.local'), records);
  });

  it('says NXDOMAIN for unknown names', async () => {
    await assert.rejects(resolver.resolve4('other.ns.svc.cluster.local'), { code: 'ENOTFOUND' });
  });

  it('gives an empty answer for other query types of a known name', async () => {
    await assert.rejects(resolver.resolve6('greeter.ns.svc.cluster.local'), { code: 'ENODATA' });
    await assert.rejects(resolver.resolveTxt('greeter.ns.svc.cluster.local'), { code: 'ENODATA' });
  });

  it('drops malformed packets without crashing and keeps answering', async () => {
    const before = server.malformed;
    const socket = dgram.createSocket('udp4');
    const [host, port] = server.address.split(':');
    await new Promise<void>((resolve) => socket.send(Buffer.from([1, 2, 3]), Number(port), host, () => resolve()));
    await new Promise<void>((resolve) => socket.send(Buffer.alloc(40, 0xff), Number(port), host, () => resolve()));
    socket.close();
    assert.equal((await resolver.resolve4('greeter.ns.svc.cluster.local')).length, 3);
    assert.equal(server.malformed - before, 2);
  });
});
