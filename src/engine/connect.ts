// Before a run: wait for the channels to be ready, so that a target that cannot be reached
// stops the run with its connection error instead of feeding it thousands of instant failures.
import { performance } from 'node:perf_hooks';
import grpc from '@grpc/grpc-js';
import { sayHello } from '../grpc/proto.js';
import type { ConnectOutcome } from '../result/run-result.js';

/** `--connect-timeout` default, ms (ghz's default is 10 s too). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/**
 * Bound on the one RPC that fetches the last connection error, ms. A channel in
 * TRANSIENT_FAILURE fails it at once; one still CONNECTING (a silent peer, a DNS server that
 * never answers) holds it to this deadline, which says what it waits for: so it is short,
 * and the run ends this close to `--connect-timeout`.
 */
const LAST_ERROR_RPC_MS = 200;

/**
 * Waits up to `timeoutMs` for every client's channel to be READY (grpc-js `Client.waitForReady`,
 * which also starts connecting an idle channel). When none is, sends one fail-fast RPC on the
 * first to read grpc-js's last connection error (`No connection established. Last error: ...`,
 * from its pick_first / round_robin picker). Never rejects.
 */
export async function waitForChannels(clients: readonly grpc.Client[], timeoutMs: number, signal?: AbortSignal): Promise<ConnectOutcome> {
  const started = performance.now();
  const deadline = Date.now() + timeoutMs;
  // One abort listener for all channels (not one each: K channels would trip Node's listener warning).
  let onAbort = (): void => undefined;
  const aborted = new Promise<boolean[]>((resolve) => {
    onAbort = () => resolve(clients.map(() => false));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const waits = Promise.all(
    clients.map(
      (client) =>
        new Promise<boolean>((resolve) => {
          client.waitForReady(deadline, (error) => resolve(error === undefined || error === null));
        }),
    ),
  );
  const ready = await Promise.race([waits, aborted]);
  signal?.removeEventListener('abort', onAbort);
  const waitedMs = Math.round(performance.now() - started);
  const readyChannels = ready.filter(Boolean).length;
  const error = readyChannels > 0 || signal?.aborted === true || clients[0] === undefined ? null : await lastConnectionError(clients[0]);
  return { waitedMs, readyChannels, error };
}

/**
 * What a channel still waiting at the deadline waits for, in words, from the phase grpc-js
 * names in its DEADLINE_EXCEEDED details (grpc-js resolving-call.ts / load-balancing-call.ts:
 * `waiting for name resolution`, `Waiting for LB pick`); null for any other text.
 */
export function pendingConnectPhase(details: string): string | null {
  if (/waiting for name resolution/i.test(details)) return 'name resolution never finished (the DNS server did not answer)';
  if (/waiting for LB pick/i.test(details)) {
    return 'still connecting: no HTTP/2 handshake from the peer (a server that accepts the connection and never speaks, or a network that drops packets)';
  }
  return null;
}

function lastConnectionError(client: grpc.Client): Promise<string> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      sayHello.path,
      sayHello.requestSerialize,
      sayHello.responseDeserialize,
      { name: 'grpclb-probe' },
      new grpc.Metadata(),
      { deadline: Date.now() + LAST_ERROR_RPC_MS },
      (error) => resolve(error === null || error === undefined ? 'the channel connected just after the timeout' : connectErrorText(error)),
    );
  });
}

/** The fail-fast RPC's error as the connect error: the phase still pending, else `code NAME: details`. */
function connectErrorText(error: grpc.ServiceError): string {
  const pending = error.code === grpc.status.DEADLINE_EXCEEDED ? pendingConnectPhase(error.details) : null;
  return pending ?? `${error.code} ${grpc.status[error.code]}: ${error.details.replace(/ Resolution note: $/, '').replace(/\.$/, '')}`;
}
