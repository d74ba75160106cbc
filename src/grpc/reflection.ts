// A server reflection client: asks the target for the file descriptors of one symbol (and the
// files they import), over `grpc.reflection.v1`, falling back to `v1alpha`. Protocol: gRPC doc
// "server-reflection.md"; messages from the reflection protos shipped in protos/.
import grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { createClient, type ChannelConfig } from './channel.js';
import { loadBuiltinPackage, REFLECTION_PROTOS } from './proto.js';

/** Why reflection did not give the descriptors. */
export type ReflectionFailure = 'not-served' | 'not-found' | 'unavailable' | 'failed';

/** Reflection did not give the descriptors; `failure` says why, the message says it for people. */
export class ReflectionError extends Error {
  constructor(
    readonly failure: ReflectionFailure,
    message: string,
    /** `not-found`: the services the server has (fully qualified, sorted); else empty. */
    readonly services: readonly string[] = [],
  ) {
    super(message);
  }
}

interface ReflectionRequest {
  host: string;
  file_containing_symbol?: string;
  file_by_filename?: string;
  list_services?: string;
}

/** One answer; proto-loader leaves the unset members of the `message_response` oneof undefined. */
interface ReflectionResponse {
  file_descriptor_response?: { file_descriptor_proto: Buffer[] } | null;
  list_services_response?: { service: { name: string }[] } | null;
  error_response?: { error_code: number; error_message: string } | null;
}

type BidiMethod = grpc.MethodDefinition<ReflectionRequest, ReflectionResponse>;

let methods: { v1: BidiMethod; v1alpha: BidiMethod } | null = null;

function reflectionMethods(): { v1: BidiMethod; v1alpha: BidiMethod } {
  if (methods === null) {
    const loaded = grpc.loadPackageDefinition(loadBuiltinPackage([REFLECTION_PROTOS.v1, REFLECTION_PROTOS.v1alpha])) as unknown as {
      grpc: { reflection: Record<'v1' | 'v1alpha', { ServerReflection: { service: grpc.ServiceDefinition } }> };
    };
    const of = (version: 'v1' | 'v1alpha'): BidiMethod =>
      loaded.grpc.reflection[version].ServerReflection.service.ServerReflectionInfo as unknown as BidiMethod;
    methods = { v1: of('v1'), v1alpha: of('v1alpha') };
  }
  return methods;
}

/** What a reflection request needs besides the channel. */
export interface ReflectionOptions {
  /** Metadata sent with the reflection RPCs only (`--reflect-metadata`, plus `-H`). */
  readonly metadata?: readonly (readonly [string, string | Buffer])[];
  /** Deadline of the whole exchange, ms. */
  readonly deadlineMs: number;
}

/**
 * The serialized FileDescriptorProtos of the file defining `symbol` (e.g. `pkg.Service`) and of
 * every file it imports, as the target's reflection service returns them.
 * @throws ReflectionError: `not-served` (UNIMPLEMENTED on v1 and v1alpha), `not-found` (the message
 *   lists the services the server has), `unavailable` (UNAVAILABLE or DEADLINE_EXCEEDED), `failed`
 */
export async function fetchFileDescriptors(config: ChannelConfig, symbol: string, options: ReflectionOptions): Promise<Uint8Array[]> {
  const client = createClient(config);
  try {
    try {
      return await exchange(client, reflectionMethods().v1, symbol, options);
    } catch (error) {
      if (!(error instanceof ReflectionError) || error.failure !== 'not-served') throw error;
      return await exchange(client, reflectionMethods().v1alpha, symbol, options);
    }
  } finally {
    client.close();
  }
}

function exchange(client: grpc.Client, method: BidiMethod, symbol: string, options: ReflectionOptions): Promise<Uint8Array[]> {
  const metadata = new grpc.Metadata();
  for (const [key, value] of options.metadata ?? []) metadata.add(key, value);
  const stream = client.makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, metadata, {
    deadline: Date.now() + options.deadlineMs,
  });
  const files = new Map<string, Uint8Array>();
  const requested = new Set<string>();
  let outstanding = 0;
  let listingFor: string | null = null;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: Uint8Array[] | ReflectionError): void => {
      if (settled) return;
      settled = true;
      stream.end();
      if (outcome instanceof ReflectionError) {
        stream.cancel();
        reject(outcome);
      } else {
        resolve(outcome);
      }
    };
    const send = (request: Omit<ReflectionRequest, 'host'>): void => {
      outstanding += 1;
      stream.write({ host: '', ...request });
    };
    stream.on('data', (response: ReflectionResponse) => {
      outstanding -= 1;
      if (listingFor !== null) {
        const names = (response.list_services_response?.service ?? []).map((service) => service.name).sort();
        settle(new ReflectionError('not-found', `${listingFor} not found by server reflection (the server has: ${names.join(', ') || 'no services'})`, names));
        return;
      }
      if (response.error_response !== null && response.error_response !== undefined) {
        if (files.size === 0) {
          // The symbol itself is unknown: ask which services there are, for the message.
          listingFor = symbol;
          send({ list_services: '' });
          return;
        }
      } else {
        for (const bytes of response.file_descriptor_response?.file_descriptor_proto ?? []) {
          const file = descriptor.FileDescriptorProto.decode(bytes) as unknown as protobuf.Message & { name: string; dependency?: string[] };
          if (files.has(file.name)) continue;
          files.set(file.name, bytes);
          for (const dependency of file.dependency ?? []) {
            if (!files.has(dependency) && !requested.has(dependency)) {
              requested.add(dependency);
              send({ file_by_filename: dependency });
            }
          }
        }
      }
      if (outstanding === 0) settle([...files.values()]);
    });
    stream.on('error', (error: grpc.ServiceError) => {
      const status = `${error.code} ${grpc.status[error.code]}: ${error.details}`;
      if (error.code === grpc.status.UNIMPLEMENTED) settle(new ReflectionError('not-served', `server reflection is not served (${status})`));
      else if (error.code === grpc.status.UNAVAILABLE || error.code === grpc.status.DEADLINE_EXCEEDED) {
        settle(new ReflectionError('unavailable', `server reflection: ${status}`));
      } else settle(new ReflectionError('failed', `server reflection failed: ${status}`));
    });
    stream.on('end', () => {
      if (!settled) settle(new ReflectionError('failed', 'server reflection ended the stream before answering'));
    });
    requested.add(symbol);
    send({ file_containing_symbol: symbol });
  });
}
