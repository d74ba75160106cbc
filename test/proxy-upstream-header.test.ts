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
  it('a failed RPC after auto picked the upstream header is named by that header, as nginx sends it on errors too', () => {
    const identifier = new BackendIdentifier({ kind: 'auto' }, null);
    identifier.ofReply(null, headersWith('x-upstream-addr', '127.0.0.1:7001'), null);
    assert.equal(identifier.ofFailure(headersWith('x-upstream-addr', '127.0.0.1:7002'), null, '127.0.0.1:8080'), '127.0.0.1:7002');
    // No header on the failure (a deadline before any reply): not named, never the proxy's address.
    assert.equal(identifier.ofFailure(null, null, '127.0.0.1:8080'), null);
  });
  it("a stream is named at its headers by the upstream header, which decides auto as a first reply would", () => {
    const identifier = new BackendIdentifier({ kind: 'auto' }, null);
    assert.equal(identifier.ofHeaders(headersWith('x-upstream-host', '10.0.0.7:50051')), '10.0.0.7:50051');
    assert.equal(identifier.summary().used, 'header:x-upstream-host');
    assert.equal(identifier.ofHeaders(headersWith('x-upstream-host', '10.0.0.8:50051')), '10.0.0.8:50051');
    assert.equal(identifier.ofHeaders(headersWith('x-other', 'a')), null);
  });
});
