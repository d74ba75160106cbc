// A small grpc-js server of fixtures/echo.proto for the call tests: not a Greeter. Each reply
// names its pod (field `pod` and `meta.pod_name`) unless `identity` is false, in which case
// every server sends the same reply. Server reflection is optional.
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';

/** fixtures/echo.proto, and the folder its import lives in. */
export const ECHO_PROTO = fileURLToPath(new URL('../fixtures/echo.proto', import.meta.url));
export const ECHO_INCLUDE = fileURLToPath(new URL('../fixtures/include', import.meta.url));
export const ECHO_CALL = 'grpclbprobe.echo.Echo/Say';

const packageDefinition = protoLoader.loadSync(ECHO_PROTO, { keepCase: true, defaults: true, includeDirs: [ECHO_INCLUDE] });
const echoService = (grpc.loadPackageDefinition(packageDefinition) as unknown as {
  grpclbprobe: { echo: { Echo: { service: grpc.ServiceDefinition } } };
}).grpclbprobe.echo.Echo.service;

/** One running echo server. */
export interface EchoServer {
  readonly pod: string;
  readonly address: string;
  /** Requests seen, as decoded by the server. */
  readonly requests: Record<string, unknown>[];
  stop(): void;
}

/** Starts `count` echo servers on 127.0.0.1:0, pods `<prefix>-1..count`. */
export async function startEchoServers(
  count: number,
  options: { prefix?: string; identity?: boolean; reflection?: boolean | 'v1alpha-only' } = {},
): Promise<EchoServer[]> {
  const servers: EchoServer[] = [];
  for (let index = 0; index < count; index += 1) {
    const pod = `${options.prefix ?? 'echo'}-${index + 1}`;
    const requests: Record<string, unknown>[] = [];
    const server = new grpc.Server();
    server.addService(echoService, {
      Say: (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        if (requests.length < 1000) requests.push(call.request);
        const text = String(call.request.text);
        callback(null, options.identity === false ? { text } : { text, pod, meta: { zone: 'z1', pod_name: pod } });
      },
      Watch: (call: grpc.ServerWritableStream<unknown, unknown>) => call.end(),
    });
    if (options.reflection === true) new ReflectionService(packageDefinition).addToServer(server);
    if (options.reflection === 'v1alpha-only') {
      // An older server: only grpc.reflection.v1alpha (v1 is left out of addService).
      new ReflectionService(packageDefinition).addToServer({
        addService: (definition, implementation) => {
          if (!Object.values(definition)[0]!.path.includes('.v1alpha.')) return;
          server.addService(definition, implementation);
        },
      });
    }
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    servers.push({ pod, address: `127.0.0.1:${port}`, requests, stop: () => server.forceShutdown() });
  }
  return servers;
}

/** `ipv4:a,b,c` over the servers. */
export function echoTarget(servers: readonly EchoServer[]): string {
  return `ipv4:${servers.map((server) => server.address).join(',')}`;
}
