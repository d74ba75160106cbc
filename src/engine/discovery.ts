// The discovery sweep: when a run saw one peer, a few short-lived channels, each with its own
// connection, ask once each who answers behind that address. Never part of the run's statistics.
import grpc from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { createClient, type ChannelConfig } from '../grpc/channel.js';
import { BackendIdentifier, type BackendFrom } from './identity.js';
import { defaultCall, type ProbeCall } from './probe.js';
import type { DiscoveryResult } from './result.js';

/** Fresh connections a sweep opens by default (`--discover`). */
export const DEFAULT_DISCOVERY_CONNECTIONS = 8;

/** What to sweep. */
export interface DiscoveryOptions extends ChannelConfig {
  /** Channels to open, one RPC each, all at once; 0 sweeps nothing. */
  readonly connections: number;
  /** Deadline of each sweep RPC, ms. */
  readonly deadlineMs: number;
  /** Request metadata, as in the run. */
  readonly metadata?: readonly (readonly [string, string | Buffer])[];
  /** `HelloRequest.name` of the default call; default `grpclb-probe`. */
  readonly requestName?: string;
  /** The run's method and request; default SayHello. */
  readonly call?: ProbeCall;
  /** The run's `--backend-from`; default `auto`. */
  readonly backendFrom?: BackendFrom;
}

/**
 * Opens `connections` channels to the target, each with `grpc.use_local_subchannel_pool` (so
 * each has its own TCP connection: grpc-node subchannel-pool.ts), sends one RPC on each, in
 * parallel, and closes them. Behind an L4 balancer (a ClusterIP VIP) each new connection may
 * land on another backend, which is how a run pinned to one of them learns how many there are.
 * Never rejects: failed RPCs are counted.
 */
export async function discoverBackends(options: DiscoveryOptions, signal?: AbortSignal): Promise<DiscoveryResult> {
  const metadata = new grpc.Metadata();
  for (const [key, value] of options.metadata ?? []) metadata.add(key, value);
  const call = options.call ?? defaultCall(options.requestName);
  // One identifier for the sweep, so its names are the run's names (same strategy).
  const identifier = new BackendIdentifier(options.backendFrom ?? { kind: 'auto' }, call.method.replyType);
  const backends = new Set<string>();
  const peers = new Set<string>();
  let failed = 0;
  const sweeps = Array.from({ length: options.connections }, async () => {
    const client = createClient(options);
    try {
      const answer = await askOnce(client, call, identifier, metadata, options.deadlineMs, signal);
      if (answer.backend === null) {
        failed += 1;
      } else {
        backends.add(answer.backend);
        if (answer.peer !== null) peers.add(answer.peer);
      }
    } finally {
      client.close();
    }
  });
  await Promise.all(sweeps);
  return { connections: options.connections, backends: [...backends].sort(), peers: [...peers].sort(), failed };
}

function askOnce(
  client: grpc.Client,
  call: ProbeCall,
  identifier: BackendIdentifier,
  metadata: grpc.Metadata,
  deadlineMs: number,
  signal: AbortSignal | undefined,
): Promise<{ backend: string | null; peer: string | null }> {
  return new Promise((resolve) => {
    let headers: grpc.Metadata | null = null;
    let reply: protobuf.Message | null = null;
    const rpc = client.makeUnaryRequest<Buffer, protobuf.Message>(
      call.method.path,
      (bytes) => bytes,
      call.method.deserialize,
      call.request,
      metadata,
      { deadline: Date.now() + deadlineMs },
      (error, message) => {
        signal?.removeEventListener('abort', cancel);
        if (error !== null && error !== undefined) resolve({ backend: null, peer: null });
        else reply = message ?? null;
      },
    );
    // `status` follows the callback and carries the trailers some identities need.
    rpc.on('status', (status: grpc.StatusObject) => {
      if (status.code !== grpc.status.OK) return;
      const peer = rpc.getPeer();
      resolve({ backend: identifier.ofReply(reply, headers, status.metadata) ?? peer, peer });
    });
    const cancel = (): void => rpc.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    rpc.on('metadata', (received: grpc.Metadata) => {
      headers = received;
    });
  });
}
