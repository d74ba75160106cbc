// How `run -t TARGET` ends: its report in every format, its own exit code (gates, interrupt),
// and the words of exit 3 (no channel ready, or no RPC succeeded).
import grpc from '@grpc/grpc-js';
import { describeFailedGates } from '../analysis/gates.js';
import { clientSaturation, loadFlags } from '../analysis/saturation.js';
import { httpAnswerHint, shortDetails, transportHint } from '../grpc/transport-hint.js';
import { renderRunHtml } from '../report/html/page.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderTable } from '../report/table.js';
import { terminalText } from '../report/sanitize.js';
import type { ProbeReport } from '../result/report.js';
import type { RunResult } from '../result/run-result.js';
import { countOf } from '../result/units.js';
import { EXIT, TargetUnavailableError } from './errors.js';
import type { OutputPlan, Renderings } from './output.js';

/** The report of one run in each format, rendered on demand for `plan`'s colors and width. */
export function runRenderings(report: ProbeReport, plan: OutputPlan): Renderings {
  return {
    table: () => renderTable(report, { color: plan.color, width: plan.columns }),
    json: () => renderJson(report, { compact: plan.compactJson }),
    markdown: () => renderMarkdown(report),
    html: () => renderRunHtml(report),
  };
}

/**
 * The run's own exit code, asked once the report is out: 130 interrupted, 1 with a line on
 * stderr per failed gate, else 0.
 * @throws TargetUnavailableError (exit 3) when RPCs were issued and none succeeded.
 */
export function runExitCode(report: ProbeReport, tls: boolean): number {
  const { result } = report;
  if (result.stopReason === 'interrupted') return EXIT.interrupted;
  if (result.rpcs.total > 0 && result.rpcs.ok === 0) {
    throw new TargetUnavailableError(noSuccessMessage(result, tls) + defaultPortNote(report.defaultPort));
  }
  const failedGates = describeFailedGates(report.gates);
  for (const line of failedGates) process.stderr.write(`grpclb-probe: ${terminalText(line)}\n`);
  return failedGates.length > 0 ? EXIT.gateFailed : EXIT.ok;
}

/** Statuses that mean no server answered the RPC (gRPC doc "statuscodes.md"). */
const UNAVAILABLE_STATUSES = new Set(['UNAVAILABLE', 'DEADLINE_EXCEEDED']);

/** What to try for a status every RPC was rejected with. */
const REJECTION_HINTS: Record<string, string> = {
  UNIMPLEMENTED: 'check --call (pkg.Service/Method as the server defines it), or the --proto/--protoset it comes from',
  UNAUTHENTICATED: 'the server wants credentials: --tls (with --ca-cert), or a token in -H/--metadata',
  PERMISSION_DENIED: 'the server refused these credentials: check -H/--metadata and --cert/--key',
  INVALID_ARGUMENT: 'the server rejected the request: check -d/--data',
  NOT_FOUND: 'the server does not know what was asked for: check -d/--data (or --health-service)',
  NOT_SERVING: 'the backends answered their health check with NOT_SERVING',
  SERVICE_UNKNOWN: 'the server does not know --health-service',
};

/**
 * Exit 3 before any RPC: no channel was ready in time. The last connection error, shortened, with a transport hint when one applies.
 * @param defaultPort the port gRPC used because the target names none (443), else null: said, since it is rarely meant.
 * @param cause what is known to have kept the channel from being ready (an xDS target's control
 *   plane: src/report/xds.ts `xdsUnreadyNote`), said in place of the connection error; default none.
 */
export function connectTimeoutMessage(result: RunResult, tls = false, defaultPort: number | null = null, cause: string | null = null): string {
  const waitedS = ((result.connect?.waitedMs ?? 0) / 1000).toFixed(1);
  const error = result.connect?.error ?? null;
  const hint = error === null || cause !== null ? null : transportHint(error, tls);
  const what = cause ?? (error === null ? 'no channel became ready' : shortDetails(error));
  return `cannot connect to ${result.target} within ${waitedS} s (--connect-timeout): ${what}${hint === null ? '' : `; ${hint}`}${defaultPortNote(defaultPort)}`;
}

/** The note on a target without a port, for exit 3's message; '' when it named one. */
function defaultPortNote(defaultPort: number | null): string {
  return defaultPort === null ? '' : `; the target names no port, so gRPC used ${defaultPort}: add the port (host:50051)`;
}

/**
 * Exit 3's message after the run: "target unavailable" when every failure was UNAVAILABLE or
 * DEADLINE_EXCEEDED, "the client was saturated" when it was, else "the target answered but
 * rejected every call" with the top status and a hint.
 */
export function noSuccessMessage(result: RunResult, tls = false): string {
  const statusText = (error: { status: string; details: string; example?: string } | undefined): string => {
    if (error === undefined) return '';
    const code = grpc.status[error.status as keyof typeof grpc.status];
    return `${code === undefined ? '' : `${code} `}${error.status}: ${shortDetails(error.example ?? error.details)}`;
  };
  // An HTTP page, status or oversized reply came from a server, however busy the client was.
  const answered = result.errors.some((error) => httpAnswerHint(error.example ?? error.details) !== null);
  const saturation = answered ? null : clientSaturation(result);
  if (saturation !== null) {
    // A healthy target looks unavailable to a client too busy to send or read in time.
    return `no RPC to ${result.target} succeeded (${result.rpcs.failed} failed): the client was saturated (${saturation}), not necessarily the target: lower ${loadFlags(result)}; last error ${statusText(result.errors[0])}`;
  }
  const stopped = result.stopReason === 'refused' ? `, stopped after ${(result.elapsedMs / 1000).toFixed(1)} s (--connect-timeout) with no RPC reaching a server` : '';
  const head = `no RPC to ${result.target} succeeded (${result.rpcs.failed} failed${stopped})`;
  const rejected = Object.keys(result.rpcs.byStatus).filter((status) => status !== 'OK' && !UNAVAILABLE_STATUSES.has(status));
  if (rejected.length === 0) {
    // A TLS mix-up or a server that is not gRPC, said in words (transport-hint.ts).
    const hint = result.errors[0] === undefined ? null : transportHint(result.errors[0].details, tls);
    return `${head}: target unavailable: ${statusText(result.errors[0])}${hint === null ? '' : `; ${hint}`}`;
  }
  const top = result.errors.find((error) => rejected.includes(error.status));
  // What came back says more than the status grpc-js mapped it to (an HTTP 404 is UNIMPLEMENTED).
  const hint = top === undefined ? undefined : (httpAnswerHint(top.example ?? top.details) ?? REJECTION_HINTS[top.status]);
  // The status leads and the count of backends follows it: "by 3 backends: 3 INVALID_ARGUMENT" read as one number.
  const backends = result.backends.length > 0 ? ` (${countOf(result.backends.length, 'backend')} answered)` : '';
  return `${head}: the target answered but rejected every call with ${statusText(top)}${backends}${hint === undefined ? '' : `; hint: ${hint}`}`;
}
