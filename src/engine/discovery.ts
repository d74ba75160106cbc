// The discovery sweep: when a run saw one peer, a few short-lived channels, each with its own
// connection, ask once each who answers behind that address. Never part of the run's statistics.
import grpc from '@grpc/grpc-js';
import { createClient, type ChannelConfig } from '../grpc/channel.js';
import { HOSTNAME_HEADER, sayHello, type HelloReply } from '../grpc/proto.js';
import { backendFromMessage } from './probe.js';
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
  readonly metadata?: readonly (readonly [string, string])[];
  /** `HelloRequest.name`; default `grpclb-probe`. */
  readonly requestName?: string;
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
  const request = { name: options.requestName ?? 'grpclb-probe' };
  const backends = new Set<string>();
  const peers = new Set<string>();
  let failed = 0;
  const sweeps = Array.from({ length: options.connections }, async () => {
    const client = createClient(options);
    try {
      const answer = await askOnce(client, request, metadata, options.deadlineMs, signal);
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
  request: { name: string },
  metadata: grpc.Metadata,
  deadlineMs: number,
  signal: AbortSignal | undefined,
): Promise<{ backend: string | null; peer: string | null }> {
  return new Promise((resolve) => {
    let headerBackend: string | null = null;
    const call = client.makeUnaryRequest<{ name: string }, HelloReply>(
      sayHello.path,
      sayHello.requestSerialize,
      sayHello.responseDeserialize,
      request,
      metadata,
      { deadline: Date.now() + deadlineMs },
      (error, reply) => {
        signal?.removeEventListener('abort', cancel);
        if (error !== null && error !== undefined) {
          resolve({ backend: null, peer: null });
          return;
        }
        resolve({ backend: headerBackend ?? (reply === undefined ? null : backendFromMessage(reply.message)), peer: call.getPeer() });
      },
    );
    const cancel = (): void => call.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    call.on('metadata', (headers: grpc.Metadata) => {
      const values = headers.get(HOSTNAME_HEADER);
      if (values.length > 0) headerBackend = String(values[0]);
    });
  });
}
