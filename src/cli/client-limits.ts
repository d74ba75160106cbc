// What one probe process can drive: RPCs in flight and connections against the open-file
// limit. Checked before the run, with the flag at fault named (exit 2).
import { DEFAULT_DISCOVERY_CONNECTIONS } from '../engine/discovery.js';
import { openFileLimit } from '../engine/saturation.js';
import { UsageError } from './errors.js';

/**
 * Most RPCs one process keeps in flight. Each pending grpc-js call holds a few kB and its
 * callbacks; far beyond this the event loop spends whole seconds starting calls, deadlines pass
 * before RPCs are sent, and a healthy target looks unavailable.
 */
export const MAX_CONCURRENCY = 50_000;
/** File descriptors kept for what is not a probe connection: stdio, the event loop, DNS, the sweep. */
export const RESERVED_FILES = 64 + DEFAULT_DISCOVERY_CONNECTIONS;

/** The flags the check reads. */
export interface ClientLoadFlags {
  readonly concurrency: number;
  readonly channels: number;
  /** Addresses each channel connects to, when known before the run (a static round_robin list); else 1. */
  readonly connectionsPerChannel: number;
}

/**
 * @param limit the open-file limit; default: this process's (`/proc/self/limits`), unchecked where unknown.
 * @throws UsageError naming `--concurrency` or `--channels` and the limit.
 */
export function checkClientLimits(flags: ClientLoadFlags, limit: number | null = openFileLimit()): void {
  if (flags.concurrency > MAX_CONCURRENCY) {
    throw new UsageError(
      `--concurrency ${flags.concurrency} is above ${MAX_CONCURRENCY}, what one probe process can keep in flight: run several probes, each with a share`,
    );
  }
  if (limit === null) return;
  // HTTP/2 multiplexes RPCs on a connection: concurrency costs no file descriptor, connections do.
  const needed = flags.channels * flags.connectionsPerChannel + RESERVED_FILES;
  if (needed > limit) {
    throw new UsageError(
      `--channels ${flags.channels} needs about ${needed} open files (one connection per channel and address), ` +
        `above this process's limit of ${limit} (ulimit -n): lower --channels or raise the limit`,
    );
  }
}
