// Failed RPCs grouped by status and a normalized message: the parts of a message that change
// from one RPC to the next (times, durations, attempt counts, ephemeral ports) are masked, so
// one cause is one group, and one raw message is kept per group as an example.
import type { ErrorCount } from '../result/run-result.js';

/** Distinct groups kept before further ones of a status are lumped into that status's `(other details)`. */
const MAX_GROUPS = 100;
/** Groups listed in the result (at least one per status even beyond this). */
const GROUPS_REPORTED = 10;
/** The lowest port of the ephemeral range on Linux (`net.ipv4.ip_local_port_range` 32768-60999); macOS starts at 49152. */
const EPHEMERAL_PORT_MIN = 32768;

type Mask = readonly [RegExp, string | ((match: string, ...groups: string[]) => string)];

const MASKS: readonly Mask[] = [
  // 2026-11-22T04:33:53.617Z (grpc-js appends the time of the last connection error)
  [/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  // "after 1.001s", "LB pick: 0.000s", "12ms", "1.5 s"
  [/\b\d+(?:\.\d+)?\s?(?:ns|us|µs|ms|s)\b/g, '<duration>'],
  // "3 attempts", "attempt 2", "retries: 4"
  [/\b\d+ (attempts?|retries|tries)\b/gi, (_match, word: string) => `<n> ${word}`],
  [/\b(attempts?|retries|tries)(:?\s*)\d+\b/gi, (_match, word: string, gap: string) => `${word}${gap}<n>`],
];

/** 127.0.0.1:54321, [::1]:54321: a port in the ephemeral range, different on every connection. */
const ADDRESS = /(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):(\d{4,5})\b/g;

/**
 * The message with what varies per RPC masked: timestamps, durations, attempt counts and
 * ephemeral ports (>= 32768) other than `knownPorts` (the target's, which do not vary).
 * Status-defining words are kept, so two error classes never merge.
 */
export function normalizeErrorDetails(details: string, knownPorts: readonly number[] = []): string {
  let normalized = details;
  for (const [pattern, replacement] of MASKS) {
    normalized = normalized.replace(pattern, replacement as (substring: string, ...args: string[]) => string);
  }
  return normalized.replace(ADDRESS, (match, host: string, port: string) => {
    const value = Number(port);
    return value >= EPHEMERAL_PORT_MIN && value <= 65535 && !knownPorts.includes(value) ? `${host}:<port>` : match;
  });
}

/** Counts failures by (status, normalized message). Memory is bounded by {@link MAX_GROUPS}. */
export class ErrorGroups {
  private readonly groups = new Map<string, { status: string; details: string; example: string; count: number }>();

  /** @param knownPorts the target's ports, never masked. */
  constructor(private readonly knownPorts: readonly number[] = []) {}

  add(status: string, details: string): void {
    const normalized = normalizeErrorDetails(details, this.knownPorts);
    const key = `${status}\u0000${normalized}`;
    const known = this.groups.get(key);
    if (known !== undefined) {
      known.count += 1;
      return;
    }
    if (this.groups.size < MAX_GROUPS) {
      this.groups.set(key, { status, details: normalized, example: details, count: 1 });
      return;
    }
    // The lump is per status: a new status always gets its own group.
    const otherKey = `${status}\u0000(other details)`;
    const other = this.groups.get(otherKey) ?? { status, details: '(other details)', example: details, count: 0 };
    other.count += 1;
    this.groups.set(otherKey, other);
  }

  /** The largest groups, most frequent first; every status keeps at least its largest group. */
  top(): ErrorCount[] {
    const sorted = [...this.groups.values()].sort((left, right) => right.count - left.count);
    const chosen = new Set<(typeof sorted)[number]>();
    const statuses = new Set<string>();
    for (const group of sorted) {
      if (!statuses.has(group.status)) {
        statuses.add(group.status);
        chosen.add(group);
      }
    }
    for (const group of sorted) {
      if (chosen.size >= Math.max(GROUPS_REPORTED, statuses.size)) break;
      chosen.add(group);
    }
    return sorted.filter((group) => chosen.has(group)).map((group) => ({ ...group }));
  }
}
