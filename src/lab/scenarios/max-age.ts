// max-age: every pod closes connections after a max connection age; a ClusterIP channel moves
// between pods over time and headless clients re-resolve: spread over time instead of pinning.
import { backendMoves, failureSpan } from '../../analysis/timeline.js';
import type { ScenarioDefinition } from './scenario.js';
import { countOf } from '../../result/units.js';
import { FIX_MAX_CONNECTION_AGE_MS } from './setups.js';

/** The max-age scenario. */
export const maxAge: ScenarioDefinition = {
  name: 'max-age',
  summary: `every pod sends GOAWAY after a ${FIX_MAX_CONNECTION_AGE_MS / 1000} s max connection age: a ClusterIP channel moves between pods over time`,
  defaultDurationMs: 12_000,
  labOptions: () => ({ maxConnectionAgeMs: FIX_MAX_CONNECTION_AGE_MS }),
  setups: ['clusterip', 'headless-rr', 'headless-rr-max-age', 'proxy'],
  script: () => [],
  answer({ report }) {
    const moves = backendMoves(report.result);
    const span = failureSpan(report.result);
    return (
      `${moves.backends} backends over time, the busiest one changed ${moves.changes} times, ` +
      `${moves.perInterval.toFixed(1)} backends per interval; ${countOf(report.result.peers.length, 'peer')}; ` +
      (span === null ? 'no RPC failed' : `${countOf(span.failed, 'RPC')} failed`)
    );
  },
  lesson: () =>
    'With grpc.max_connection_age_ms on the servers, each connection gets GOAWAY after that age (plus jitter) and the ' +
    "client reconnects: through a ClusterIP VIP, kube-proxy picks a pod again, so one channel's traffic moves between pods " +
    'over time: balanced on average across many clients, never within one interval. Headless clients re-resolve on each ' +
    'reconnection (rate-limited by grpc.dns_min_time_between_resolutions_ms) and so find new pods. RPCs in flight finish ' +
    'within grpc.max_connection_age_grace_ms; nothing fails. It is the cheapest server-side fix for pinning and for ' +
    'scale-outs; per-RPC balance still needs round_robin over a headless Service or an L7 proxy.',
};
