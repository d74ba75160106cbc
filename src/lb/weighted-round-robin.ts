// weighted_round_robin: grpc-js's built-in policy (load-balancer-weighted-round-robin.ts, in
// grpc-js since 1.14), fed by ORCA load reports; here only its service config, in one place.

/** The name in a service config's `loadBalancingConfig`. */
export const WEIGHTED_ROUND_ROBIN = 'weighted_round_robin';

/** Knobs of gRPC proposal A58 ("Weighted Round Robin LB Policy"), in ms. */
export interface WeightedRoundRobinSettings {
  /** A new endpoint's weight is ignored for this long after its first report; A58 default 10 s. */
  readonly blackoutPeriodMs?: number;
  /** How often the picker is rebuilt from the latest weights; A58 default 1 s, grpc-js minimum 100 ms. */
  readonly weightUpdatePeriodMs?: number;
  /** Reports by the ORCA stream (OOB, A64) instead of per-call trailers (A51); A58 default false. */
  readonly enableOobLoadReport?: boolean;
  /** How often the OOB stream reports; A58 default 10 s. */
  readonly oobReportingPeriodMs?: number;
}

/**
 * What the probe asks for with `--lb-policy weighted_round_robin`: out-of-band reports every
 * second (our servers report ORCA only out of band, see GreeterServerOptions.orcaUtilization),
 * the rest at A58's defaults (blackout 10 s, weights updated every second).
 */
export const PROBE_WEIGHTED_ROUND_ROBIN: WeightedRoundRobinSettings = { enableOobLoadReport: true, oobReportingPeriodMs: 1000 };

/** `1500` -> `"1.5s"`, the JSON form of a google.protobuf.Duration. */
function duration(ms: number): string {
  return `${ms / 1000}s`;
}

/**
 * The `loadBalancingConfig` entry. The weight of an endpoint is
 * `rps_fractional / (application_utilization + eps / rps_fractional * error_utilization_penalty)`
 * from its latest report (A58); grpc-js reads only `application_utilization`, not
 * `cpu_utilization`, and unlike A58's static stride scheduler it clamps no weight to 10 % of
 * the mean. grpc-js parses the field names in snake_case (`blackout_period`), not the proto
 * JSON camelCase of A58's `WeightedRoundRobinLbConfig`.
 */
export function weightedRoundRobinConfig(settings: WeightedRoundRobinSettings = {}): Record<string, object> {
  const config: Record<string, unknown> = {};
  if (settings.blackoutPeriodMs !== undefined) config.blackout_period = duration(settings.blackoutPeriodMs);
  if (settings.weightUpdatePeriodMs !== undefined) config.weight_update_period = duration(settings.weightUpdatePeriodMs);
  if (settings.enableOobLoadReport !== undefined) config.enable_oob_load_report = settings.enableOobLoadReport;
  if (settings.oobReportingPeriodMs !== undefined) config.oob_load_reporting_period = duration(settings.oobReportingPeriodMs);
  return { [WEIGHTED_ROUND_ROBIN]: config };
}
