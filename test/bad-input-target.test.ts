// Bad targets and metadata: exit 2, one line naming --target or -H, no stack, in time.
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
  { args: run('-t', 'dns://10.0.0.1/'), names: /--target.*names no host/ },
  { args: run('-t', 'foo://x:1'), names: /--target: unsupported scheme "foo:"/ },
  { args: run('-t', 'xds:///greeter'), names: /--target: unsupported scheme "xds:"/ },
  { args: run('-t', ''), names: /--target: the target is empty/ },
  { args: run('-t', 'ipv4:not-an-ip:1'), names: /--target/ },
  { args: run('-t', 'ipv4:127.0.0.1:0'), names: /--target: port 0/ },
  { args: run('-t', 'dns:///a b:1'), names: /--target/ },
  // Metadata
  { args: run(...T, '-H', 'novalue'), names: /-H, --metadata/ },
  { args: run(...T, '-H', 'bad key:v'), names: /-H, --metadata/ },
  { args: run(...T, '-H', 'connection:close'), names: /-H, --metadata.*reserved/ },
  { args: run(...T, '-H', 'te:trailers'), names: /-H, --metadata.*reserved/ },
  { args: run(...T, '-H', 'content-type:text/plain'), names: /-H, --metadata.*reserved/ },
  { args: run(...T, '-H', 'host:example.com'), names: /-H, --metadata.*reserved/ },
  { args: run(...T, '-H', 'grpc-timeout:1S'), names: /-H, --metadata.*reserved.*--deadline-ms/ },
  { args: run(...T, '-H', 'grpc-status:0'), names: /-H, --metadata.*reserved/ },
  { args: run(...T, '-H', ':authority:x'), names: /-H, --metadata.*pseudo-header/ },
  { args: run(...T, '-H', 'x-team:café'), names: /-H, --metadata.*ASCII/ },
  { args: run(...T, '-H', 'x-team:a\r\nb'), names: /-H, --metadata.*LF/ },
  { args: run(...T, '-H', 'x-trace-bin:!!!'), names: /-H, --metadata.*base64/ },
  { args: run(...T, '-H', 'x-trace-bin:A'), names: /-H, --metadata.*base64/ },
];

badInputSuite('bad targets and metadata (spawned)', cases);
