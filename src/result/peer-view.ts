// A run's RPCs named by their peer, beside the names its replies gave: what the analysis judges
// by when those names do not identify servers. Types only.
import type { BackendResult, ChannelResult, PeerChange } from './run-result.js';

/** A run's RPCs with each backend named by its peer (see `RunResult.byPeer`). */
export interface PeerView {
  readonly backends: readonly BackendResult[];
  /** Successful RPCs per peer in each timeline bucket, index for index with `RunResult.timeline.buckets`. */
  readonly timelineRpcs: readonly Readonly<Record<string, number>>[];
  readonly channelMatrix: readonly ChannelResult[];
  readonly peerChanges: readonly PeerChange[];
}
