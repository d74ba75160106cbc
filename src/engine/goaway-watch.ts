// Which of a run's connections were lost, and when: the READY -> IDLE changes of its channels'
// subchannels, polled from grpc-js's channelz (src/grpc/subchannels.ts). A stream worker reads it
// to tell a GOAWAY (its stream lived on after its connection was lost) from a dropped connection.
import type grpc from '@grpc/grpc-js';
import { subchannelIdsOf, subchannelView, type SubchannelView } from '../grpc/subchannels.js';

/** How often the watch reads channelz while a run goes, ms. */
export const GOAWAY_POLL_MS = 250;
/** A query within this long of the last read uses it, ms (a burst of stream ends reads channelz once). */
const FRESH_MS = 5;
/** Losses kept per subchannel, and subchannels remembered (memory bound). */
const MAX_LOSSES = 16;
const MAX_SUBCHANNELS = 1024;

/** What a stream worker asks: when its connection was lost. */
export interface ConnectionLosses {
  /**
   * Wall-clock ms of the first time a subchannel to `peer` of channel `channel` (0-based) left
   * READY after `afterWallMs`, or null when none did (or grpc-js no longer lists it).
   */
  lostAfter(channel: number, peer: string, afterWallMs: number): number | null;
}

/**
 * Polls the subchannels of a run's channels for READY -> IDLE. grpc-js moves a subchannel from
 * READY to IDLE when its transport reports a disconnect, which it does both on a GOAWAY and on a
 * dropped connection (grpc-js transport.ts: the session's `goaway` handler and handleDisconnect
 * both call reportDisconnectToOwner; subchannel.ts: its disconnect listener). The two differ
 * only in what the calls on it see: a dropped connection ends them at once, a GOAWAY lets them
 * run until the server closes the connection. So a stream that received a message (or had a
 * write accepted) strictly after its connection left READY rode a connection that got a GOAWAY.
 * Missed, so counted `reset`: a loss grpc-js forgets before the next read (pick_first lets the
 * subchannel go and the subchannel pool's 10 s sweep unregisters it within {@link GOAWAY_POLL_MS}),
 * and a stream that had no message between the GOAWAY and the close.
 */
export class GoawayWatch implements ConnectionLosses {
  /** Per channel, the subchannel ids seen on it. */
  private readonly known: Set<number>[];
  /** Per subchannel id, where it goes, the channels it served and when it left READY (kept after grpc-js lets it go). */
  private readonly losses = new Map<number, { address: string; channels: Set<number>; atWallMs: number[] }>();
  private timer: NodeJS.Timeout | undefined;
  private lastReadWallMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly clients: readonly grpc.Client[]) {
    this.known = clients.map(() => new Set<number>());
  }

  /** Reads channelz every {@link GOAWAY_POLL_MS} until {@link stop} (the timer does not hold the process). */
  start(): void {
    this.timer ??= setInterval(() => this.read(), GOAWAY_POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  lostAfter(channel: number, peer: string, afterWallMs: number): number | null {
    if (Date.now() - this.lastReadWallMs > FRESH_MS) this.read();
    let first: number | null = null;
    for (const loss of this.losses.values()) {
      if (loss.address !== peer || !loss.channels.has(channel)) continue;
      const at = loss.atWallMs.find((time) => time > afterWallMs);
      if (at !== undefined && (first === null || at < first)) first = at;
    }
    return first;
  }

  /** One read of every channel's subchannels; records new READY -> IDLE changes. */
  private read(): void {
    this.lastReadWallMs = Date.now();
    const views = new Map<number, SubchannelView | null>();
    this.clients.forEach((client, channel) => {
      const known = this.known[channel] as Set<number>;
      for (const id of subchannelIdsOf(client)) known.add(id);
      for (const id of known) {
        if (!views.has(id)) views.set(id, subchannelView(id));
        const view = views.get(id) ?? null;
        // Unregistered: no channel or pool holds it any more; its losses stay for streams that rode it.
        if (view === null) known.delete(id);
        else this.record(view, channel);
      }
    });
  }

  private record(view: SubchannelView, channel: number): void {
    const id = view.id;
    let loss = this.losses.get(id);
    loss?.channels.add(channel);
    for (const change of view.transitions) {
      if (change.from !== 'READY' || change.to !== 'IDLE') continue;
      if (loss === undefined) {
        if (this.losses.size >= MAX_SUBCHANNELS) this.losses.delete(this.losses.keys().next().value as number);
        loss = { address: view.address, channels: new Set([channel]), atWallMs: [] };
        this.losses.set(id, loss);
      }
      if (loss.atWallMs.includes(change.atWallMs)) continue;
      loss.atWallMs.push(change.atWallMs);
      loss.atWallMs.sort((left, right) => left - right);
      if (loss.atWallMs.length > MAX_LOSSES) loss.atWallMs.shift();
    }
  }
}
