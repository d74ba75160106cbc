// The protos that ship with grpclb-probe (helloworld, grpc.health.v1, grpc.reflection v1 and
// v1alpha, all under protos/) and the one place that locates them, so a bundler has one module
// to rewrite. Also the Greeter's service definition and message codecs.
import { fileURLToPath } from 'node:url';
import protoLoader from '@grpc/proto-loader';
import type { ServiceDefinition, MethodDefinition } from '@grpc/grpc-js';
import grpc from '@grpc/grpc-js';

/** Absolute path of the `protos/` folder shipped with the package (`files` in package.json). */
export const PROTOS_DIR = fileURLToPath(new URL('../../protos/', import.meta.url));

/** Absolute path of a shipped proto, e.g. `builtinProtoPath('grpc/health/v1/health.proto')`. */
export function builtinProtoPath(relativePath: string): string {
  return PROTOS_DIR + relativePath;
}

/** Absolute path of the bundled `helloworld.proto` (gRPC's own example, unchanged on the wire). */
export const HELLOWORLD_PROTO_PATH = builtinProtoPath('helloworld.proto');

/** The built-in protos, relative to {@link PROTOS_DIR}: what `run --call` finds without `--proto`. */
export const BUILTIN_PROTOS = ['helloworld.proto', 'grpc/health/v1/health.proto'] as const;

/** The server reflection protos, relative to {@link PROTOS_DIR}, newest first (gRPC doc "server-reflection.md"). */
export const REFLECTION_PROTOS = {
  v1: 'grpc/reflection/v1/reflection.proto',
  v1alpha: 'grpc/reflection/v1alpha/reflection.proto',
} as const;

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

/**
 * A proto-loader package definition of shipped protos (`keepCase`, defaults), e.g. for
 * `@grpc/reflection`'s ReflectionService or a grpc-js client of the reflection service.
 */
export function loadBuiltinPackage(relativePaths: readonly string[]): protoLoader.PackageDefinition {
  return protoLoader.loadSync(
    relativePaths.map((relativePath) => builtinProtoPath(relativePath)),
    { keepCase: true, defaults: true, includeDirs: [PROTOS_DIR] },
  );
}

const packageDefinition = loadBuiltinPackage(['helloworld.proto']);

/** The `helloworld.Greeter` service definition, for `server.addService`. */
export const greeterService = grpc.loadPackageDefinition(packageDefinition).helloworld as unknown as {
  Greeter: { service: ServiceDefinition };
};

/** The `/helloworld.Greeter/SayHello` method: path, serializers and deserializers. */
export const sayHello = greeterService.Greeter.service.SayHello as MethodDefinition<HelloRequest, HelloReply>;
