// The lab control plane's EDS pushes during a scenario, as events on the scenario's clock: one per
// endpoint added or removed, named by its pod, so the timeline shows when the xds setup was told.
import type { RunEvent, RunResult } from '../../result/run-result.js';
import type { Lab } from '../topology.js';

/**
 * Listens to `lab.xds`'s pushes (none when the lab runs no control plane): each endpoint a push
 * added is an `xds-endpoint-added` event ("xds push: endpoints v4, +greeter-...-x (127.0.10.4:PORT)"),
 * each one it removed an `xds-endpoint-removed`, stamped by `now()` (ms on the scenario's clock).
 * @returns the events so far (a live list) and a function that stops listening.
 */
export function recordXdsPushes(lab: Lab, now: () => number): { readonly events: readonly RunEvent[]; stop(): void } {
  const events: RunEvent[] = [];
  const names = new Map<string, string>();
  // Remembered as pods come, so a removed pod is still named after it leaves the lab's list.
  const remember = (): void => {
    for (const backend of lab.backends) names.set(backend.address, backend.name);
  };
  const nameOf = (address: string): string | undefined => {
    remember();
    return names.get(address);
  };
  remember();
  const stop =
    lab.xds?.onPush((push) => {
      const atMs = now();
      const event = (kind: 'xds-endpoint-added' | 'xds-endpoint-removed', address: string, sign: string): RunEvent => {
        const backend = nameOf(address);
        const detail = `xds push: endpoints v${push.version}, ${sign}${backend ?? address}${backend === undefined ? '' : ` (${address})`}`;
        return backend === undefined ? { atMs, kind, address, detail } : { atMs, kind, backend, address, detail };
      };
      events.push(...push.added.map((address) => event('xds-endpoint-added', address, '+')), ...push.removed.map((address) => event('xds-endpoint-removed', address, '-')));
    }) ?? (() => undefined);
  return { events, stop };
}

/**
 * The pushes on a run's clock, for its analysis: the run's clock starts when its channel is
 * connected (`connect.waitedMs` after the scenario's), so each event moves back by that wait.
 */
export function onRunClock(events: readonly RunEvent[], result: RunResult): RunEvent[] {
  const waitedMs = result.connect?.waitedMs ?? 0;
  return events.map((event) => ({ ...event, atMs: event.atMs - waitedMs }));
}
