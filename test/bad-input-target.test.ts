// Bad targets, metadata and call flags: exit 2, one line naming the flag, no stack, in time.
import { badInputSuite, type BadInput } from './bad-input.js';

const run = (...args: string[]): string[] => ['run', '-n', '1', ...args];
const T = ['-t', '127.0.0.1:1'];

const cases: BadInput[] = [
  // Targets
  { args: run('-t', 'http://127.0.0.1:80'), names: /--target.*a gRPC target is host:port or dns:\/\/\/host:port; for TLS add --tls/ },
  { args: run('-t', 'https://greeter.example.com'), names: /--target.*for TLS add --tls/ },
  { args: run('-t', '127.0.0.1:0'), names: /--target: port 0 .*1\.\.65535/ },
  { args: run('-t', '127.0.0.1:70000'), names: /--target: port 70000/ },
  { args: run('-t', '127.0.0.1:abc'), names: /--target/ },
  { args: run('-t', ':50051'), names: /--target/ },
  { args: run('-t', 'dns:///'), names: /--target.*names no host/ },
  // No port: gRPC takes 443, which nothing on loopback serves; the message says so.
  { args: run('-t', '127.0.0.1', '--connect-timeout', '1s', '-q'), names: /127\.0\.0\.1:443.*the target names no port, so gRPC used 443/, code: 3 },
  { args: run('-t', 'dns://10.0.0.1/'), names: /--target.*names no host/ },
  { args: run('-t', 'foo://x:1'), names: /--target: unsupported scheme "foo:"/ },
  { args: run('-t', 'xds:///greeter'), names: /--target xds:\/\/\/greeter: an xds: target needs an xDS bootstrap: --xds-bootstrap FILE, GRPC_XDS_BOOTSTRAP/ },
  { args: run('-t', ''), names: /--target: the target is empty/ },
  { args: run('-t', 'ipv4:not-an-ip:1'), names: /--target/ },
  { args: run('-t', 'ipv4:127.0.0.1:0'), names: /--target: port 0/ },
  { args: run('-t', 'dns:///a b:1'), names: /--target/ },
  // Metadata
  { args: run(...T, '-H', 'novalue'), names: /-H\/--metadata/ },
  { args: run(...T, '-H', 'bad key:v'), names: /-H\/--metadata/ },
  { args: run(...T, '-H', 'connection:close'), names: /-H\/--metadata.*reserved/ },
  { args: run(...T, '-H', 'te:trailers'), names: /-H\/--metadata.*reserved/ },
  { args: run(...T, '-H', 'content-type:text/plain'), names: /-H\/--metadata.*reserved/ },
  { args: run(...T, '-H', 'host:example.com'), names: /-H\/--metadata.*reserved/ },
  { args: run(...T, '-H', 'grpc-timeout:1S'), names: /-H\/--metadata.*reserved.*--deadline-ms/ },
  { args: run(...T, '-H', 'grpc-status:0'), names: /-H\/--metadata.*reserved/ },
  { args: run(...T, '-H', ':authority:x'), names: /-H\/--metadata.*pseudo-header/ },
  { args: run(...T, '-H', 'x-team:café'), names: /-H\/--metadata.*ASCII/ },
  { args: run(...T, '-H', 'x-team:a\r\nb'), names: /-H\/--metadata.*LF/ },
  { args: run(...T, '-H', 'x-trace-bin:!!!'), names: /-H\/--metadata.*base64/ },
  { args: run(...T, '-H', 'x-trace-bin:A'), names: /-H\/--metadata.*base64/ },
  // A bad value is never echoed: metadata carries tokens, and the line lands in CI logs.
  { args: run(...T, '-H', 'authorization:Bearer S3CR\u00c9T'), names: /^grpclb-probe: -H\/--metadata: the value of "authorization" must be printable ASCII(?!.*S3CR).*$/ },
  { args: run(...T, '-H', 'Bearer S3CRET'), names: /^grpclb-probe: -H\/--metadata: expected key:value(?!.*S3CR).*$/ },
  { args: run(...T, '-H', 'token-bin:S3CRET!!'), names: /^grpclb-probe: -H\/--metadata: "token-bin" ends in -bin(?!.*S3CR).*$/ },
  { args: run(...T, '--call', 'a.B/C', '--reflect-metadata', 'authorization:Bearer S3CR\u00c9T'), names: /^grpclb-probe: --reflect-metadata: the value of "authorization"(?!.*S3CR).*$/ },
  // The call: method, proto, request, identity (issue 8's flags)
  { args: run(...T, '--call', 'nope'), names: /--call/ },
  { args: run(...T, '--proto', '/nonexistent.proto', '--call', 'a.B/C'), names: /--proto/ },
  { args: run(...T, '--protoset', 'package.json', '--call', 'a.B/C'), names: /--protoset: package\.json/ },
  { args: run(...T, '-d', '{bad'), names: /--data: not JSON/ },
  { args: run(...T, '-d', '{"nme":1}'), names: /--data: unknown field "nme"/ },
  { args: run(...T, '-D', '/nonexistent.json'), names: /--data-file/ },
  { args: run(...T, '--backend-from', 'wat'), names: /--backend-from/ },
  { args: run(...T, '--reflect-metadata', 'connection:close', '--call', 'a.B/C'), names: /--reflect-metadata.*reserved/ },
  { args: run(...T, '--channel-arg', 'nope=1'), names: /--channel-arg/ },
  { args: run(...T, '--service-config', '{x'), names: /--service-config/ },
  { args: run(...T, '--discover', '-1'), names: /--discover/ },
];

badInputSuite('bad targets, metadata and calls (spawned)', cases);
