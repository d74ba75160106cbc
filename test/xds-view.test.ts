// The CSDS view's arithmetic on hand-built resources: the shares the weights ask for, and the
// reduced weights the diagnosis names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointsOf, viewOf } from '../src/grpc/xds-csds.js';
import { ratioOf } from '../src/analysis/xds-weights.js';

const endpoint = (address: string, port: number, health = 'HEALTHY', weight?: number) => ({
  health_status: health,
  ...(weight === undefined ? {} : { load_balancing_weight: { value: weight } }),
  endpoint: { address: { socket_address: { address, port_value: port } } },
});

describe('xDS client view (CSDS)', () => {
  it('expected shares: each locality its weight over the sum, round_robin inside, lowest priority only, unusable health 0', () => {
    const rows = endpointsOf({
      cluster_name: 'svc',
      endpoints: [
        { locality: { region: 'r', zone: 'a', sub_zone: '' }, load_balancing_weight: { value: 3 }, priority: 0, lb_endpoints: [endpoint('10.0.0.1', 80), endpoint('10.0.0.2', 80, 'UNKNOWN', 7)] },
        { locality: { region: 'r', zone: 'b', sub_zone: '' }, load_balancing_weight: { value: 1 }, priority: 0, lb_endpoints: [endpoint('10.0.0.3', 80), endpoint('10.0.0.4', 80, 'DRAINING')] },
        { locality: { region: 'r', zone: 'c', sub_zone: '' }, load_balancing_weight: { value: 5 }, priority: 1, lb_endpoints: [endpoint('10.0.0.5', 80)] },
      ],
    });
    assert.deepEqual(
      rows.map((row) => [row.address, row.locality, row.priority, row.localityWeight, row.endpointWeight, row.health, Math.round(row.expectedShare * 1000) / 1000]),
      [
        ['10.0.0.1:80', 'r/a/', 0, 3, 1, 'HEALTHY', 0.375],
        ['10.0.0.2:80', 'r/a/', 0, 3, 7, 'UNKNOWN', 0.375],
        ['10.0.0.3:80', 'r/b/', 0, 1, 1, 'HEALTHY', 0.25],
        ['10.0.0.4:80', 'r/b/', 0, 1, 1, 'DRAINING', 0],
        ['10.0.0.5:80', 'r/c/', 1, 5, 1, 'HEALTHY', 0],
      ],
    );
  });

  it('resources: the most recently updated copy of each, in LDS/RDS/CDS/EDS order, a NACK with its version and reason', () => {
    const at = (seconds: number) => ({ seconds: String(seconds), nanos: 0 });
    const typeUrl = (type: string) => `type.googleapis.com/envoy.config.${type}`;
    const view = viewOf([
      { type_url: typeUrl('cluster.v3.Cluster'), name: 'c', client_status: 'NACKED', version_info: '1', xds_config: null, last_updated: at(20), error_state: { details: 'unsupported lb_policy: MAGLEV', version_info: '2' } },
      { type_url: typeUrl('listener.v3.Listener'), name: 'l', client_status: 'ACKED', version_info: '1', xds_config: null, last_updated: at(10), error_state: null },
      { type_url: typeUrl('cluster.v3.Cluster'), name: 'c', client_status: 'ACKED', version_info: '1', xds_config: { name: 'c', lb_policy: 'ROUND_ROBIN', eds_cluster_config: { service_name: '' } }, last_updated: at(15), error_state: null },
    ]);
    assert.deepEqual(view.resources.map((resource) => [resource.kind, resource.name, resource.status, resource.version]), [
      ['listener', 'l', 'ACKED', '1'],
      ['cluster', 'c', 'NACKED', '1'],
    ]);
    assert.deepEqual(view.resources[1]?.nack, { version: '2', details: 'unsupported lb_policy: MAGLEV' });
    assert.equal(view.resources[0]?.lastUpdated, new Date(10_000).toISOString());
  });

  it('weights are named reduced: 3:1:1, 2:1 from shares, percentages when no small whole ratio fits', () => {
    assert.equal(ratioOf([0.6, 0.2, 0.2]), '3:1:1');
    assert.equal(ratioOf([2 / 3, 1 / 3]), '2:1');
    assert.equal(ratioOf([0.4, 0.6]), '2:3');
    assert.equal(ratioOf([0.123, 0.877]), '12.3 %:87.7 %');
  });
});
