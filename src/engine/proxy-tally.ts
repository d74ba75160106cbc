// Which proxy carried each RPC, by the `via` response header a proxy adds: behind a VIP the
// peer address is one, so the header is the only way to tell the proxies of a tier apart.
import type { ProxyResult } from '../result/run-result.js';

/** Distinct proxy names kept; beyond this a run's `via` values are not a proxy tier (and are not kept). */
const MAX_PROXIES = 1000;

/** The `via` response header (RFC 9110 section 7.6.3): `2 proxy-1`, `1.1 envoy`. */
export const VIA_HEADER = 'via';

/**
 * The proxy nearest the client in a `via` value: its last entry's received-by part (RFC 9110:
 * `protocol received-by [comment]`, each proxy appending one): `1.1 a, 2 tier-proxy-1` ->
 * `tier-proxy-1`. Null for an empty value.
 */
export function nearestProxy(via: string): string | null {
  const entry = via.split(',').at(-1)?.trim() ?? '';
  const parts = entry.split(/\s+/);
  const name = parts.length > 1 ? parts[1] : parts[0];
  return name === undefined || name === '' ? null : name;
}

/** Successful RPCs and channels per proxy name. */
export class ProxyTally {
  private readonly proxies = new Map<string, { rpcs: number; channels: Set<number> }>();

  /** Counts one successful RPC of `channel` carried by the proxy `via` names (null: no header, not counted). */
  record(channel: number, via: string | null): void {
    const name = via === null ? null : nearestProxy(via);
    if (name === null) return;
    let entry = this.proxies.get(name);
    if (entry === undefined) {
      if (this.proxies.size >= MAX_PROXIES) return;
      entry = { rpcs: 0, channels: new Set() };
      this.proxies.set(name, entry);
    }
    entry.rpcs += 1;
    entry.channels.add(channel);
  }

  /** Per proxy, sorted by name; empty when no reply carried `via`. */
  results(): ProxyResult[] {
    return [...this.proxies.entries()]
      .map(([name, entry]) => ({ name, rpcs: entry.rpcs, channels: entry.channels.size }))
      .sort((left, right) => left.name.localeCompare(right.name));
  }
}
