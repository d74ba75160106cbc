// The Envoy xDS v3 protos as @grpc/grpc-js-xds ships them (deps/envoy-api, xds, googleapis,
// protoc-gen-validate), loaded once for the lab's control plane and the CSDS reader.
import { createRequire } from 'node:module';
import path from 'node:path';
import grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** The resource protos: a definition that holds them decodes a `google.protobuf.Any` of each into `{'@type', ...fields}`. */
const RESOURCE_PROTOS = [
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
];

let loaded: grpc.GrpcObject | null = null;

/**
 * The ADS and CSDS services with every resource type, as one grpc object (keepCase, enums as
 * strings, `json: true` so that Any fields are expanded); loaded on first use (about half a
 * second of CPU), only when an xDS part runs.
 */
export function xdsProtos(): grpc.GrpcObject {
  if (loaded !== null) return loaded;
  // The package's main is build/src/index.js; its protos are in deps/ beside build/.
  const deps = path.join(path.dirname(createRequire(import.meta.url).resolve('@grpc/grpc-js-xds')), '..', '..', 'deps');
  const definition = loadSync(['envoy/service/discovery/v3/ads.proto', 'envoy/service/status/v3/csds.proto', ...RESOURCE_PROTOS], {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    json: true,
    includeDirs: ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((dir) => path.join(deps, dir)),
  });
  loaded = grpc.loadPackageDefinition(definition);
  return loaded;
}

/** A service of {@link xdsProtos} by its dotted name, e.g. `envoy.service.status.v3.ClientStatusDiscoveryService`. */
export function xdsService(name: string): grpc.ServiceClientConstructor {
  let node: unknown = xdsProtos();
  for (const part of name.split('.')) node = (node as Record<string, unknown>)[part];
  return node as grpc.ServiceClientConstructor;
}
