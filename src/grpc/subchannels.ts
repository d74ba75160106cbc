// A channel's subchannels as grpc-js's channelz sees them: address, connectivity state and the
// state changes in the subchannel's channelz trace. Read in-process through the exported channelz
// handlers (grpc-js channelz.ts getChannelzHandlers), which answer synchronously; no server runs.
import grpc from '@grpc/grpc-js';

/** grpc-js connectivity state names, as channelz spells them. */
export type SubchannelStateName = 'IDLE' | 'CONNECTING' | 'READY' | 'TRANSIENT_FAILURE' | 'SHUTDOWN';

/** One state change in a subchannel's channelz trace. */
export interface SubchannelTransition {
  /** Wall-clock time of the change, ms since the epoch (channelz's Date, ms resolution). */
  readonly atWallMs: number;
  /** The state before, when the trace still holds it (grpc-js trims a trace to its last 32 events); null otherwise. */
  readonly from: SubchannelStateName | null;
  readonly to: SubchannelStateName;
}

/** A subchannel of a channel, read once. */
export interface SubchannelView {
  /** channelz id: stable for the subchannel's life (grpc-js shares subchannels between channels with equal options). */
  readonly id: number;
  /** `ip:port`, the text `call.getPeer()` gives for a call on it (grpc-js subchannelAddressToString). */
  readonly address: string;
  readonly state: SubchannelStateName;
  /** State changes the trace still holds, oldest first. */
  readonly transitions: readonly SubchannelTransition[];
}

/** The parts of channelz's answers read here (grpc-js channelz.ts, channelz.proto). */
interface TraceEventMessage {
  readonly description: string;
  readonly timestamp: { readonly seconds: number | string; readonly nanos: number } | null;
  readonly subchannel_ref?: { readonly subchannel_id: number | string; readonly name: string } | null;
}
interface ChannelMessage {
  readonly subchannel_ref?: readonly { readonly subchannel_id: number | string; readonly name: string }[];
  readonly data?: { readonly trace?: { readonly events?: readonly TraceEventMessage[] } };
}
interface SubchannelMessage {
  readonly ref: { readonly subchannel_id: number | string; readonly name: string };
  readonly data?: { readonly state?: { readonly state?: string }; readonly trace?: { readonly events?: readonly TraceEventMessage[] } };
}

type Handler = (call: { request: Record<string, string> }, callback: (error: unknown, value?: unknown) => void) => void;

let handlers: { GetChannel: Handler; GetSubchannel: Handler } | null = null;

/** Calls a channelz handler in-process; its answer, or null for NOT_FOUND (an entity unregistered). */
function ask<T>(name: 'GetChannel' | 'GetSubchannel', request: Record<string, string>): T | null {
  handlers ??= grpc.getChannelzHandlers() as unknown as { GetChannel: Handler; GetSubchannel: Handler };
  let answer: T | null = null;
  // grpc-js's channelz handlers call back synchronously (channelz.ts GetChannel, GetSubchannel).
  handlers[name]({ request }, (error, value) => {
    if (error === null || error === undefined) answer = value as T;
  });
  return answer;
}

const STATE_CHANGE = /^Connectivity state change to ([A-Z_]+)$/;

function wallMsOf(event: TraceEventMessage): number {
  const stamp = event.timestamp;
  return stamp === null ? 0 : Number(stamp.seconds) * 1000 + Math.round(stamp.nanos / 1e6);
}

/** The state changes of a channelz trace, each with the state before it when the trace holds it. */
function transitionsOf(events: readonly TraceEventMessage[]): SubchannelTransition[] {
  const out: SubchannelTransition[] = [];
  let from: SubchannelStateName | null = null;
  for (const event of events) {
    const match = STATE_CHANGE.exec(event.description);
    if (match === null) continue;
    const to = match[1] as SubchannelStateName;
    out.push({ atWallMs: wallMsOf(event), from, to });
    from = to;
  }
  return out;
}

/**
 * The channelz ids of the subchannels `client`'s channel holds now and those its trace still
 * names ("Created subchannel or used existing subchannel"): a subchannel its LB policy let go
 * (pick_first after its connection closed) is in the trace but no longer held.
 */
export function subchannelIdsOf(client: grpc.Client): number[] {
  const channel = ask<{ channel: ChannelMessage }>('GetChannel', { channel_id: String(client.getChannel().getChannelzRef().id) })?.channel;
  if (channel === undefined) return [];
  const ids = new Set<number>();
  for (const ref of channel.subchannel_ref ?? []) ids.add(Number(ref.subchannel_id));
  for (const event of channel.data?.trace?.events ?? []) {
    if (event.subchannel_ref !== null && event.subchannel_ref !== undefined) ids.add(Number(event.subchannel_ref.subchannel_id));
  }
  return [...ids];
}

/** One subchannel by channelz id; null once grpc-js unregistered it (no channel or pool holds it). */
export function subchannelView(id: number): SubchannelView | null {
  const subchannel = ask<{ subchannel: SubchannelMessage }>('GetSubchannel', { subchannel_id: String(id) })?.subchannel;
  if (subchannel === undefined) return null;
  return {
    id,
    address: subchannel.ref.name,
    state: (subchannel.data?.state?.state ?? 'IDLE') as SubchannelStateName,
    transitions: transitionsOf(subchannel.data?.trace?.events ?? []),
  };
}

/** The subchannels `client`'s channel holds now (not those it let go), read once. */
export function heldSubchannels(client: grpc.Client): SubchannelView[] {
  const channel = ask<{ channel: ChannelMessage }>('GetChannel', { channel_id: String(client.getChannel().getChannelzRef().id) })?.channel;
  return (channel?.subchannel_ref ?? []).map((ref) => subchannelView(Number(ref.subchannel_id))).filter((view): view is SubchannelView => view !== null);
}
