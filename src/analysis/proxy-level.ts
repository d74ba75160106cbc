// The second level of a proxy tier: how the client's RPCs spread over the proxies (named by the
// `via` header each adds), beside how the proxies spread them over the pods. A VIP in front of
// the proxies balances connections, so with few client channels the proxies are skewed while the
// pods behind them are balanced (Linkerd 1.x as a DaemonSet: "the load from clients to the
// proxies was still unbalanced"). Pure.
import type { ProxyLevel, SkewStats } from '../result/report.js';
import type { RunResult } from '../result/run-result.js';
import { formatPercent } from '../result/units.js';
import { computeSkew } from './skew.js';

/**
 * The proxy level of `result`, or null when no reply named a proxy.
 *
 * @param expectedProxies proxies that exist (the lab's tier size); null: the ones seen.
 * @param pods the skew over the pods, for the sentence that compares both levels.
 */
export function proxyLevel(result: RunResult, expectedProxies: number | null, pods: SkewStats): ProxyLevel | null {
  const proxies = result.proxies ?? [];
  if (proxies.length === 0) return null;
  const skew = computeSkew(proxies, expectedProxies, expectedProxies === null ? 'seen' : 'flag');
  return { proxies, skew, channels: result.channels, reading: reading(skew, result.channels, pods) };
}

/** Which level is skewed and why, in one sentence. */
function reading(proxies: SkewStats, channels: number, pods: SkewStats): string {
  const count = proxies.expectedBackends;
  const podLevel = pods.balanced ? `the pods are balanced (skew ${pods.skew.toFixed(2)}): each proxy picks a pod per RPC` : `the pods are uneven too (skew ${pods.skew.toFixed(2)})`;
  const channelText = channels === 1 ? 'one client channel' : `${channels} client channels`;
  if (proxies.balanced) {
    return `proxy level: ${count} proxies shared the RPCs evenly (skew ${proxies.skew.toFixed(2)}) over ${channelText}; ${podLevel}`;
  }
  const top = [...proxies.backends].sort((left, right) => right.rpcs - left.rpcs)[0];
  const idle = proxies.idleBackends > 0 ? `, ${proxies.idleBackends} of ${count} got none` : '';
  return (
    `proxy level skewed (skew ${proxies.skew.toFixed(2)}): ${top?.name ?? 'one proxy'} carried ${formatPercent(top?.share ?? 0)} of the RPCs${idle}; ` +
    `${channels === 1 ? 'the' : 'each of the'} ${channelText} holds one connection through the VIP to the one proxy it landed on (random per connection), ` +
    `so the proxies' load follows where those connections landed; ${podLevel}. More client channels (pods) even the proxies out`
  );
}
