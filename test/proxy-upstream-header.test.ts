// `auto` names the backend by the upstream header a proxy was told to add (nginx, Envoy recipes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import grpc from '@grpc/grpc-js';
import { BackendIdentifier, PROXY_UPSTREAM_HEADERS } from '../src/engine/identity.js';

function headersWith(name: string, value: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(name, value);
  return metadata;
}

describe('auto reads the upstream a proxy names', () => {
  for (const name of PROXY_UPSTREAM_HEADERS) {
    it(`${name}: each reply is named by its upstream, not by the peer`, () => {
      const identifier = new BackendIdentifier({ kind: 'auto' }, null);
      assert.equal(identifier.ofReply(null, headersWith(name, '127.0.0.1:7001'), null), '127.0.0.1:7001');
      assert.equal(identifier.ofReply(null, headersWith(name, '127.0.0.1:7002'), null), '127.0.0.1:7002');
      assert.equal(identifier.summary().used, `header:${name}`);
    });
  }
  it('without such a header the replies stay named by peer', () => {
    const identifier = new BackendIdentifier({ kind: 'auto' }, null);
    assert.equal(identifier.ofReply(null, headersWith('x-other', 'a'), null), null);
    assert.equal(identifier.summary().used, 'peer');
  });
});
