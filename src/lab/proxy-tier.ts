// A proxy tier (Linkerd 1.x as a DaemonSet, a fleet of Envoys): a ClusterIP-like VIP, random
// per connection, in front of P L7 proxies that each balance per RPC over every pod. Each proxy
// names itself in a `via` response header, so a client can see which proxy its RPCs went through.
import { L4Vip } from './l4-vip.js';
import { L7Proxy } from './l7-proxy.js';
import type { EndpointSource } from './l4-vip.js';

/** Proxies in the tier unless told otherwise. */
export const DEFAULT_TIER_PROXIES = 3;

/** The running tier. */
export class ProxyTier {
  readonly proxies: L7Proxy[];
  readonly vip: L4Vip;

  /**
   * @param pods the pods every proxy balances over, read at each RPC.
   * @param count proxies, named `tier-proxy-1`, `tier-proxy-2`, ...
   */
  constructor(pods: EndpointSource, count = DEFAULT_TIER_PROXIES) {
    this.proxies = Array.from({ length: count }, (_, index) => new L7Proxy(pods, `tier-proxy-${index + 1}`));
    this.vip = new L4Vip(() => this.proxies.map((proxy) => proxy.address), 'iptables');
  }

  /**
   * Starts the proxies on `proxyHost(1)`, `proxyHost(2)`, ... and the VIP on `vipHost`, all on `port`.
   * @throws Error (the listener's) naming nothing: the caller says which part failed.
   */
  async start(vipHost: string, proxyHost: (index: number) => string, port: number): Promise<void> {
    for (const [index, proxy] of this.proxies.entries()) await proxy.start(proxyHost(index + 1), port);
    await this.vip.start(vipHost, port);
  }

  /** `host:port` of the tier's VIP: the target. */
  get address(): string {
    return this.vip.address;
  }

  /** Closes the VIP and every proxy. */
  async close(): Promise<void> {
    await Promise.allSettled([this.vip.close(), ...this.proxies.map((proxy) => proxy.close())]);
  }
}
