// What one Greeter server reports about its load in ORCA (Open Request Cost Aggregation):
// RPC rate, error rate and application utilization, fixed or derived from its own RPCs.

/** Utilization a server reports: a fixed value, or `derived` from its RPCs in flight. */
export type OrcaUtilization = number | 'derived';

/** One report, in ORCA's terms (xds.data.orca.v3.OrcaLoadReport fields). */
export interface OrcaLoad {
  /** `application_utilization`, > 0 (weighted_round_robin treats 0 as "no report"). */
  readonly applicationUtilization: number;
  /** `rps_fractional`: RPCs per second answered recently. */
  readonly rpsFractional: number;
  /** `eps`: errors per second recently. */
  readonly eps: number;
}

/** Measurement window for rates and the derived utilization, ms. */
export const ORCA_WINDOW_MS = 1000;
/** Floor of a derived utilization: an idle server still reports something above 0. */
const MIN_UTILIZATION = 0.001;

/**
 * Keeps the numbers one server reports, over windows of {@link ORCA_WINDOW_MS}: the last
 * complete window's rates, or the current one's until a window has completed.
 *
 * The derived utilization is the mean number of RPCs in flight over the window (Little's law:
 * RPC rate times time in the handler, the added delay included), so a slowed pod reports more
 * at the same rate. That is a lab model: a real server reports what it measures (CPU, queue
 * length, gRPC proposals A51 "Custom Backend Metrics" and A64 "ORCA load reports over OOB").
 */
export class OrcaLoadTracker {
  private windowStart: number;
  private rpcs = 0;
  private errors = 0;
  private busyMs = 0;
  private last: { rps: number; eps: number; inFlight: number } | null = null;

  constructor(
    private readonly utilization: OrcaUtilization,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.windowStart = this.now();
  }

  /** Records one finished RPC that spent `handlerMs` in the handler. */
  record(handlerMs: number, failed = false): void {
    this.roll();
    this.rpcs += 1;
    if (failed) this.errors += 1;
    this.busyMs += handlerMs;
  }

  /** The report as of now. */
  load(): OrcaLoad {
    this.roll();
    const spanMs = Math.max(1, this.now() - this.windowStart);
    const current = { rps: (this.rpcs * 1000) / spanMs, eps: (this.errors * 1000) / spanMs, inFlight: this.busyMs / spanMs };
    const window = this.last ?? current;
    const applicationUtilization = this.utilization === 'derived' ? Math.max(MIN_UTILIZATION, window.inFlight) : this.utilization;
    return { applicationUtilization, rpsFractional: window.rps, eps: window.eps };
  }

  private roll(): void {
    const now = this.now();
    const spanMs = now - this.windowStart;
    if (spanMs < ORCA_WINDOW_MS) return;
    this.last = { rps: (this.rpcs * 1000) / spanMs, eps: (this.errors * 1000) / spanMs, inFlight: this.busyMs / spanMs };
    this.windowStart = now;
    this.rpcs = 0;
    this.errors = 0;
    this.busyMs = 0;
  }
}
