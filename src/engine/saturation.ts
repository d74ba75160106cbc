// The client's own load during a run: event-loop delay (perf_hooks.monitorEventLoopDelay) and
// open file descriptors, so that a saturated client is told apart from a failing target.
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ClientLoad } from '../result/run-result.js';

/** How often open file descriptors are counted, ms. */
const FD_SAMPLE_MS = 500;

/**
 * The open-file limit of this process (the soft `RLIMIT_NOFILE`, which Node raises to the hard
 * limit at startup), from `/proc/self/limits`; null where that file does not exist (macOS, Windows).
 */
export function openFileLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || !/^\d+$/.test(soft) ? null : Number(soft);
  } catch {
    return null;
  }
}

/** Open file descriptors of this process (`/proc/self/fd`); null where that cannot be read. */
export function openFileCount(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

/** A running monitor; {@link SaturationMonitor.stop} returns what it saw. */
export interface SaturationMonitor {
  stop(): ClientLoad;
}

/** Starts measuring event-loop delay (10 ms resolution) and sampling open file descriptors. */
export function startSaturationMonitor(): SaturationMonitor {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let peakOpenFiles = openFileCount();
  const sampler = setInterval(() => {
    const count = openFileCount();
    if (count !== null) peakOpenFiles = Math.max(peakOpenFiles ?? 0, count);
  }, FD_SAMPLE_MS);
  sampler.unref();
  return {
    stop(): ClientLoad {
      delay.disable();
      clearInterval(sampler);
      const count = openFileCount();
      if (count !== null) peakOpenFiles = Math.max(peakOpenFiles ?? 0, count);
      // The histogram is in nanoseconds; it is empty (min > max) when the run was too short to sample.
      const ms = (ns: number): number => (delay.count === 0 ? 0 : Math.round(ns / 1e4) / 100);
      return {
        eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
        openFiles: peakOpenFiles,
        openFileLimit: openFileLimit(),
      };
    },
  };
}
