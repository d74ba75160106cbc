// A small grpc-js server of fixtures/collect.proto for the client-streaming tests: each stream
// gets the `hostname` header at once (so the probe names its backend before any reply; with
// `earlyHeaders: false` only with the reply, as most servers do), and one Summary with the parts
// counted when the client ends it. It counts the streams and parts it saw.
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

export const COLLECT_PROTO = fileURLToPath(new URL('../fixtures/collect.proto', import.meta.url));
export const COLLECT_CALL = 'grpclbprobe.collect.Collector/Collect';

const definition = protoLoader.loadSync(COLLECT_PROTO, { keepCase: true, defaults: true });
const collectorService = (grpc.loadPackageDefinition(definition) as unknown as {
  grpclbprobe: { collect: { Collector: { service: grpc.ServiceDefinition } } };
}).grpclbprobe.collect.Collector.service;

/** One running collect server and what it saw. */
export interface CollectServer {
  readonly pod: string;
  readonly address: string;
  /** Streams opened on it, and parts received on them. */
  readonly seen: { streams: number; parts: number };
  stop(): void;
}

/** Starts `count` collect servers on 127.0.0.1:0, pods `<prefix>-1..count`. */
export async function startCollectServers(count: number, prefix = 'collect', earlyHeaders = true): Promise<CollectServer[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const pod = `${prefix}-${index + 1}`;
      const seen = { streams: 0, parts: 0 };
      const server = new grpc.Server();
      server.addService(collectorService, {
        Collect: (call: grpc.ServerReadableStream<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
          seen.streams += 1;
          if (earlyHeaders) {
            const headers = new grpc.Metadata();
            headers.set('hostname', pod);
            call.sendMetadata(headers);
          }
          let parts = 0;
          call.on('data', () => {
            parts += 1;
            seen.parts += 1;
          });
          call.on('error', () => {});
          call.on('end', () => callback(null, { parts, pod }));
        },
      });
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
      );
      return { pod, address: `127.0.0.1:${port}`, seen, stop: () => server.forceShutdown() };
    }),
  );
}
