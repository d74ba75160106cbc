// What a failed connection's error text means in words, for the one-line error of a run in
// which no RPC succeeded. The texts are grpc-js's and OpenSSL's, as Node 20 reports them.

/**
 * A hint for an RPC failure's details, or null when there is nothing to add.
 * @param details the status details grpc-js gave (`No connection established. Last error: ...`).
 * @param tls whether the channel used TLS.
 */
export function transportHint(details: string, tls: boolean): string | null {
  const answer = httpAnswerHint(details);
  if (answer !== null) return answer;
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

/** grpc-js's default `grpc.max_receive_message_length` (4 MiB, grpc-js src/constants.ts). */
const DEFAULT_MAX_RECEIVE = 4 * 1024 * 1024;

/**
 * A hint for an answer that came back but is not a gRPC reply the client can read: an HTTP
 * page (a non-gRPC content-type, noted by the engine, or a "length" that spells text), an
 * HTTP status (grpc-js `mapHttpStatusCode`: "Received HTTP status code 404"), or a reply over
 * the receive limit (grpc-js stream-decoder.ts: "Received message larger than max (N vs M)").
 */
export function httpAnswerHint(details: string): string | null {
  const contentType = /\(the response had content-type ([^)]*)\)/.exec(details)?.[1] ?? null;
  const larger = /Received message larger than max \((\d+) vs\.? (\d+)\)/.exec(details);
  if (contentType !== null || (larger !== null && spellsText(Number(larger[1])))) {
    return `the server answered HTTP, not gRPC${contentType === null ? '' : ` (content-type ${contentType})`}: is this the gRPC port, or a web server or proxy in front of it?`;
  }
  if (larger !== null) {
    const limit = Number(larger[2]);
    return `a reply is larger than the client's ${limit === DEFAULT_MAX_RECEIVE ? '4 MiB ' : ''}limit: raise it with --channel-arg grpc.max_receive_message_length=${Number(larger[1])}`;
  }
  const status = /Received HTTP status code (\d+)/.exec(details)?.[1];
  if (status === '404') return 'no gRPC service at this path or port (HTTP 404): check the port, and --call against what the server serves';
  if (status !== undefined) return `the server answered HTTP ${status}, not a gRPC status: is this the gRPC port, or a proxy in front of it?`;
  return null;
}

/** Whether a frame "length" is four printable ASCII bytes: the start of a text page read as a gRPC frame. */
function spellsText(length: number): boolean {
  const bytes = [24, 16, 8, 0].map((shift) => (length >>> shift) & 0xff);
  return bytes.every((byte) => byte >= 0x20 && byte < 0x7f);
}

/** The details shortened to their first line, without OpenSSL's source location. */
export function shortDetails(details: string): string {
  return (details.split('\n')[0] ?? details)
    .replace(/:\.\.\/deps\/openssl\S*/, '')
    .replace(/Error: [0-9A-F]+:error:[0-9A-F]+:SSL routines:[a-z0-9_]+:/, 'TLS: ')
    .trim()
    .replace(/\.$/, '');
}
