// Before a stream run opens its streams: wait until every channel's subchannels have made their
// first connection attempt, so that the first streams are placed over all the backends that can
// take them, not over the first one to connect.
import { setTimeout as sleep } from 'node:timers/promises';
import type grpc from '@grpc/grpc-js';
import { heldSubchannels, type SubchannelView } from '../grpc/subchannels.js';

/** How often the wait reads the subchannels, ms. */
const SETTLE_POLL_MS = 10;

/**
 * Whether a subchannel is still on a first connection attempt: CONNECTING, and not after a
 * failure (a retry after TRANSIENT_FAILURE is an address that does not answer, not worth waiting for).
 */
function stillConnecting(view: SubchannelView): boolean {
  if (view.state !== 'CONNECTING') return false;
  const last = view.transitions[view.transitions.length - 1];
  return last?.from !== 'TRANSIENT_FAILURE';
}

/**
 * Waits until no subchannel of any client's channel is still on a first connection attempt (read
 * from grpc-js's channelz, src/grpc/subchannels.ts), at most `budgetMs`. A stream is placed once:
 * grpc-js's round_robin is READY with its first connected subchannel while the others still
 * connect (load-balancer-round-robin.ts), so streams opened then would all land on one backend,
 * a start-up artefact rather than the policy. pick_first holds one subchannel and does not wait.
 *
 * @returns ms waited. Never rejects.
 */
export async function waitForSubchannels(clients: readonly grpc.Client[], budgetMs: number): Promise<number> {
  const started = Date.now();
  while (clients.some((client) => heldSubchannels(client).some(stillConnecting))) {
    const waited = Date.now() - started;
    if (waited >= budgetMs) return waited;
    await sleep(Math.min(SETTLE_POLL_MS, budgetMs - waited));
  }
  return Date.now() - started;
}
