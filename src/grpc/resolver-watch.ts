// The probe's own view of DNS during a run: it looks the target's name up again and again,
// independently of the channel, and keeps the address sets it saw over time.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolverWatchResult } from '../result/run-result.js';
import { lookupName, parseTarget, type TargetInfo } from './target.js';

/** Shortest and longest TTL-derived watch interval, seconds (issue 10: the TTL clamped to 1..30 s). */
export const WATCH_TTL_CLAMP_SECONDS = [1, 30] as const;
/** Interval when the answer carries no TTL (the system resolver), ms: CoreDNS's default Kubernetes TTL, 5 s. */
export const WATCH_DEFAULT_INTERVAL_MS = 5000;
/** Bound on one query, ms (shorter with a shorter interval, never under 250 ms). */
export const WATCH_QUERY_TIMEOUT_MS = 2000;
/** Observations kept; a watch that flaps more than this stops recording (and says so). */
const MAX_OBSERVATIONS = 1000;

/** A running watch. */
export interface ResolverWatch {
  /** Stops querying (an in-flight alternative-resolver query is cancelled). Idempotent. */
  stop(): void;
  /** What was seen, with times relative to `originMs` (a `performance.now()` value: the run's start). */
  result(originMs: number): ResolverWatchResult;
}

/**
 * The name a watch would follow: targets that name a host (`dns:///name:port`,
 * `dns://AUTH/name:port`, `name:port`); null for IP literals, `ipv4:`, `ipv6:`, `unix:` (and
 * targets grpc-js could not parse either), which are never re-resolved.
 */
export function watchableTarget(target: string): TargetInfo | null {
  try {
    const info = parseTarget(target);
    return info.scheme === 'dns' && info.staticAddresses === null && info.host !== null ? info : null;
  } catch {
    return null;
  }
}

/**
 * Starts watching the name of `target`: one query at once (the next starts an interval after
 * the previous one settled), each bounded by a timeout; a failing resolver is an observation,
 * never an exception. Queries go where the channel's would go (see `lookupName`).
 *
 * @param intervalMs between queries; null or absent: the records' TTL clamped to 1..30 s
 *   (5 s without a TTL); 0: no watch.
 * @returns null when the target has no name to watch or `intervalMs` is 0.
 */
export function startResolverWatch(target: string, intervalMs?: number | null): ResolverWatch | null {
  const info = watchableTarget(target);
  if (info === null || intervalMs === 0) return null;
  const fixedMs = intervalMs ?? null;
  const aborter = new AbortController();
  const observations: { at: number; addresses: string[] | null; error?: string }[] = [];
  let currentMs = fixedMs ?? WATCH_DEFAULT_INTERVAL_MS;
  let intervalFrom: ResolverWatchResult['intervalFrom'] = fixedMs === null ? 'default' : 'flag';
  let queries = 0;
  let failures = 0;
  let truncated = false;

  const observe = (addresses: string[] | null, error?: string): void => {
    const last = observations.at(-1);
    const same =
      last !== undefined &&
      (addresses === null ? last.addresses === null : last.addresses !== null && last.addresses.join() === addresses.join());
    if (same) return;
    if (observations.length >= MAX_OBSERVATIONS) {
      truncated = true;
      return;
    }
    observations.push({ at: performance.now(), addresses, ...(error === undefined ? {} : { error }) });
  };

  const queryOnce = async (): Promise<void> => {
    const timeoutMs = Math.max(250, Math.min(WATCH_QUERY_TIMEOUT_MS, currentMs));
    queries += 1;
    const lookup = lookupName(info, timeoutMs, aborter.signal);
    let timer: NodeJS.Timeout | undefined;
    // getaddrinfo has no timeout of its own: stop waiting, but start no other query until it settles.
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs + 250);
    });
    try {
      const answer = await Promise.race([lookup, timedOut]);
      if (aborter.signal.aborted) return;
      if (answer === 'timeout') {
        failures += 1;
        observe(null, `timed out after ${timeoutMs} ms`);
        await lookup.catch(() => undefined);
        return;
      }
      observe([...answer.addresses]);
      if (fixedMs === null && answer.ttlSeconds !== null) {
        const [low, high] = WATCH_TTL_CLAMP_SECONDS;
        currentMs = Math.min(high, Math.max(low, answer.ttlSeconds)) * 1000;
        intervalFrom = 'ttl';
      }
    } catch (error) {
      if (aborter.signal.aborted) return;
      failures += 1;
      observe(null, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  };

  const loop = async (): Promise<void> => {
    while (!aborter.signal.aborted) {
      await queryOnce();
      try {
        await sleep(currentMs, undefined, { signal: aborter.signal });
      } catch {
        return; // stopped
      }
    }
  };
  void loop();

  return {
    stop: () => aborter.abort(),
    result: (originMs) => ({
      name: info.host as string,
      server: info.dnsServer,
      intervalMs: currentMs,
      intervalFrom,
      queries,
      failures,
      observations: observations.map(({ at, addresses, error }) => ({
        atMs: Math.round((at - originMs) * 1000) / 1000,
        addresses,
        ...(error === undefined ? {} : { error }),
      })),
      truncated,
    }),
  };
}
