// Loads protos/helloworld.proto once and exposes the Greeter service definition and the
// message codecs the probe engine uses directly.
import { fileURLToPath } from 'node:url';
import protoLoader from '@grpc/proto-loader';
import type { ServiceDefinition, MethodDefinition } from '@grpc/grpc-js';
import grpc from '@grpc/grpc-js';

/** Absolute path of the bundled `helloworld.proto` (gRPC's own example, unchanged on the wire). */
export const HELLOWORLD_PROTO_PATH = fileURLToPath(new URL('../../protos/helloworld.proto', import.meta.url));

/**
 * The response header that carries the answering backend's hostname (the convention of
 * gRPC's xDS interop test servers: grpc-java interop-testing XdsTestServer.java, `HOSTNAME_KEY`).
 */
export const HOSTNAME_HEADER = 'hostname';

/** `helloworld.HelloRequest`. */
export interface HelloRequest {
  name: string;
}

/** `helloworld.HelloReply`. */
export interface HelloReply {
  message: string;
}

const packageDefinition = protoLoader.loadSync(HELLOWORLD_PROTO_PATH, {
  keepCase: true,
  defaults: true,
});

/** The `helloworld.Greeter` service definition, for `server.addService`. */
export const greeterService = grpc.loadPackageDefinition(packageDefinition).helloworld as unknown as {
  Greeter: { service: ServiceDefinition };
};

/** The `/helloworld.Greeter/SayHello` method: path, serializers and deserializers. */
export const sayHello = greeterService.Greeter.service.SayHello as MethodDefinition<HelloRequest, HelloReply>;
