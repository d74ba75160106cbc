// The events of a run's timeline: what happened and when, on the run's clock. Types only; the
// analysis derives most of them (src/analysis/events.ts), a lab scenario adds its own.

/**
 * Kinds of {@link RunEvent}. A JSON contract: scripts read these names, keep them stable.
 * - `address-added` / `address-removed`: the probe's own resolver watch saw the address set change;
 * - `backend-first-rpc`: a backend's first answered RPC, when it came after the first interval;
 * - `backend-last-rpc`: a backend's last answered RPC, when it stopped well before the end;
 * - `peer-changed`: a channel's connection moved to another peer (reconnect, max connection age, GOAWAY);
 * - `errors`: an interval whose failures stand out;
 * - `resolver-error`: the resolver watch's query failed (timeout, NXDOMAIN, refused);
 * - `pod-added` / `pod-removed` / `pod-slowed`: a lab scenario changed its pods;
 * - `xds-endpoint-added` / `xds-endpoint-removed`: the lab's xDS control plane pushed an EDS
 *   version with the endpoint (`address`, its pod as `backend`) added or removed (a scenario's
 *   xds setup; a user's own control plane's pushes are not seen, only CSDS's versions at the end);
 * - `stream-opened` / `stream-ended`: streams of a streaming call opened on, or ended from, a
 *   backend, grouped per interval, backend and reason (src/analysis/streams.ts);
 * - `goaway`: a connection of a streaming call got a GOAWAY (its streams lived on after it was
 *   closed to new ones), with when the server then cut them (src/analysis/streams.ts).
 */
export type RunEventKind =
  | 'address-added'
  | 'address-removed'
  | 'backend-first-rpc'
  | 'backend-last-rpc'
  | 'peer-changed'
  | 'errors'
  | 'resolver-error'
  | 'pod-added'
  | 'pod-removed'
  | 'pod-slowed'
  | 'xds-endpoint-added'
  | 'xds-endpoint-removed'
  | 'stream-opened'
  | 'stream-ended'
  | 'goaway';

/** Something that happened during a run, on the run's clock. */
export interface RunEvent {
  /** ms since the measured part of the run began (the timeline's clock). */
  readonly atMs: number;
  readonly kind: RunEventKind;
  /** The backend (hostname) concerned, when there is one. */
  readonly backend?: string;
  /** `ip:port`, for address and peer events. */
  readonly address?: string;
  /** 0-based channel index, for `peer-changed`. */
  readonly channel?: number;
  /** One human-readable line. */
  readonly detail: string;
}
