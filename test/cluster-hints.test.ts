import './resolver-env.js';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { clusterNotes, type ClusterFacts } from '../src/analysis/cluster-hints.js';
import { parseResolvConf } from '../src/grpc/resolv-conf.js';
import type { GreeterServer } from '../src/server/greeter.js';
import { runCli, startServers, stopServers } from './helpers.js';

/** A pod's resolv.conf as the kubelet writes it (ClusterFirst DNS policy). */
const POD_RESOLV_CONF = `# written by kubelet
search shop.svc.cluster.local svc.cluster.local cluster.local
nameserver 10.96.0.10
options ndots:5
`;

const IN_POD: ClusterFacts = {
  inKubernetes: true,
  host: 'greeter',
  hostIsIp: false,
  systemResolver: true,
  resolvConf: parseResolvConf(POD_RESOLV_CONF),
  resolvedAddresses: 1,
};

describe('in-cluster hints', () => {
  it('parses the search list and ndots; the last search/domain line wins; ndots caps at 15', () => {
    assert.deepEqual(parseResolvConf(POD_RESOLV_CONF), { search: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 });
    assert.deepEqual(parseResolvConf('domain a.example\nsearch b.example c.example\noptions timeout:1 ndots:20'), { search: ['b.example', 'c.example'], ndots: 15 });
    assert.deepEqual(parseResolvConf('nameserver 1.1.1.1'), { search: [], ndots: 1 });
  });

  it('a short name under ndots costs search-list queries; the trailing-dot form is suggested', () => {
    const [ndots, kind] = clusterNotes(IN_POD);
    assert.match(ndots!, /"greeter" has 0 dots, fewer than ndots:5: each resolution first tries 3 search domains \(up to 6 extra/);
    assert.match(ndots!, /greeter\.shop\.svc\.cluster\.local\.$/);
    assert.match(clusterNotes({ ...IN_POD, host: 'greeter.shop' })[0]!, /greeter\.shop\.svc\.cluster\.local\.$/);
    assert.match(kind!, /resolves to one address: a ClusterIP Service/);
    assert.deepEqual(clusterNotes({ ...IN_POD, host: 'greeter.shop.svc.cluster.local.' }).length, 1, 'a trailing dot: no ndots note');
    assert.equal(clusterNotes({ ...IN_POD, systemResolver: false }).length, 1, 'the alternative resolver does not search');
  });

  it('says headless for several A records, and warns about IP targets, only in Kubernetes', () => {
    assert.match(clusterNotes({ ...IN_POD, host: 'greeter-headless.shop.svc.cluster.local.', resolvedAddresses: 4 })[0]!, /4 addresses: a headless Service/);
    assert.match(clusterNotes({ ...IN_POD, host: '10.1.2.3', hostIsIp: true })[0]!, /the target is an IP address/);
    assert.deepEqual(clusterNotes({ ...IN_POD, inKubernetes: false, host: 'greeter.shop.svc.cluster.local.' }), []);
  });

  describe('run (spawned) with KUBERNETES_SERVICE_HOST and an injected resolv.conf', () => {
    let servers: GreeterServer[];
    const folder = mkdtempSync(join(tmpdir(), 'grpclb-resolv-'));
    before(async () => {
      servers = await startServers(1, 'hint');
      writeFileSync(join(folder, 'resolv.conf'), POD_RESOLV_CONF);
    });
    after(() => stopServers(servers));

    it('notes the IP target in the report', async () => {
      const outcome = await runCli(['run', '-t', servers[0]!.address, '-n', '10', '-o', 'json'], {
        env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', GRPCLB_PROBE_RESOLV_CONF: join(folder, 'resolv.conf') },
      });
      assert.equal(outcome.code, 0, outcome.stderr);
      const notes: string[] = JSON.parse(outcome.stdout).diagnosis.notes;
      assert.ok(notes.some((note) => /in Kubernetes, the target is an IP address/.test(note)), notes.join('\n'));
      const outside = await runCli(['run', '-t', servers[0]!.address, '-n', '10', '-o', 'json'], { env: { KUBERNETES_SERVICE_HOST: '' } });
      assert.ok(!JSON.parse(outside.stdout).diagnosis.notes.some((note: string) => /Kubernetes/.test(note)));
    });
  });
});
