// The run by peer beside the run by name: what the analysis judges by when the names the replies
// gave do not identify servers (src/analysis/told-apart.ts decides that).
import type { PeerView } from '../result/peer-view.js';
import type { Recorder } from './recorder.js';

/**
 * `recorder`'s RPCs with each backend named by its peer (from its {@link Recorder.byPeer}), when
 * some backend that answered was named at more than one peer; else null. Null too when the two
 * timelines ended with different intervals (one refitted on an RPC sent but never finished),
 * as their buckets would not line up.
 */
export function peerViewOf(recorder: Recorder): PeerView | null {
  const { byPeer } = recorder;
  if (byPeer === null || byPeer.intervalMs !== recorder.intervalMs) return null;
  if (!recorder.backendResults().some((backend) => backend.rpcs > 0 && backend.peers.length > 1)) return null;
  return {
    backends: byPeer.backendResults(),
    timelineRpcs: byPeer.timelineBuckets().map((bucket) => bucket.rpcs),
    channelMatrix: byPeer.channelResults(),
    peerChanges: byPeer.peerChanges(),
  };
}
