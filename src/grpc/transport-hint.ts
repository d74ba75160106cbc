// What a failed connection's error text means in words, for the one-line error of a run in
// which no RPC succeeded. The texts are grpc-js's and OpenSSL's, as Node 20 reports them.

/**
 * A hint for an RPC failure's details, or null when there is nothing to add.
 * @param details the status details grpc-js gave (`No connection established. Last error: ...`).
 * @param tls whether the channel used TLS.
 */
export function transportHint(details: string, tls: boolean): string | null {
  if (tls) {
    // OpenSSL reads a plaintext HTTP/2 reply as a TLS record with a bad version.
    if (/wrong version number|packet length too long|http request/i.test(details)) return 'the server does not speak TLS (drop --tls)';
    if (/unable to verify|self[- ]signed|local issuer/i.test(details)) return 'the server certificate is not signed by a root we trust (pass its CA with --ca-cert)';
    if (/altnames|does not match certificate/i.test(details)) return 'the server certificate does not name this host (set --server-name to a name it holds)';
    return null;
  }
  // A TLS server answers our HTTP/2 preface with an alert and closes; an HTTP/1.1 server
  // answers 505 or 400: grpc-js calls both a failed connect or a protocol error.
  if (/Failed to connect \(|Protocol error|Connection dropped/.test(details) && !/ECONNREFUSED/.test(details)) {
    return 'the server does not speak plaintext gRPC: if it speaks TLS add --tls; an HTTP/1.1 server cannot answer gRPC';
  }
  return null;
}

/** The details shortened to their first line, without OpenSSL's source location. */
export function shortDetails(details: string): string {
  return (details.split('\n')[0] ?? details)
    .replace(/:\.\.\/deps\/openssl\S*/, '')
    .replace(/Error: [0-9A-F]+:error:[0-9A-F]+:SSL routines:[a-z0-9_]+:/, 'TLS: ')
    .trim()
    .replace(/\.$/, '');
}
