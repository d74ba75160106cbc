// `run -t TARGET --forever`: the probe never ends by itself; every --report-interval its window
// is judged like a run (a streaming call on the streams it held), printed as one line (or one JSON
// document, -o json, with the Kubernetes facts of that window under --k8s) and added to the
// Prometheus metrics of --metrics-port; then it is dropped. SIGINT/SIGTERM end it (exit 0).
import { performance } from 'node:perf_hooks';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../engine/connect.js';
import { startWindowedProbe } from '../engine/windows.js';
import { renderJson } from '../report/json.js';
import { renderWindowLine } from '../report/window-line.js';
import type { ProbeReport } from '../result/report.js';
import type { RunResult } from '../result/run-result.js';
import type { CommandContext, CommandReport } from './command.js';
import { EXIT, TargetUnavailableError } from './errors.js';
import { serveMetrics } from './metrics-server.js';
import { DEFAULT_METRICS_HOST, DEFAULT_REPORT_INTERVAL_MS, type RunFlags } from './run-flags.js';
import { startKubernetes, withKubernetesFacts } from './run-kubernetes.js';
import { connectTimeoutMessage, noSuccessMessage } from './run-report.js';
import { prepareTargetRun, startRun } from './run-target.js';

/**
 * Runs `target` until a signal, one report per window; the last window (partial) is the
 * command's report. The metrics endpoint listens before the first RPC.
 * @throws UsageError for bad flags and a metrics port that cannot be used; TargetUnavailableError
 *   (exit 3) when no channel was ready within --connect-timeout.
 */
export async function runForever(target: string, flags: RunFlags, context: CommandContext): Promise<CommandReport> {
  // prom-client loads only for a run that serves metrics; a port in use fails before any other work.
  const metrics = flags.metricsPort === undefined ? null : new (await import('../report/metrics.js')).ProbeMetrics(target);
  if (metrics !== null) {
    const server = await serveMetrics(flags.metricsHost ?? DEFAULT_METRICS_HOST, flags.metricsPort as number, metrics);
    context.defer(() => server.close());
    process.stderr.write(`grpclb-probe: metrics at ${server.url}\n`);
  }
  const prepared = await prepareTargetRun(target, flags);
  const { options, tls } = prepared;
  // Endpoint changes are timed from the start of the window they fall in (the first: from here, as in run).
  let windowStart = performance.now();
  const kubernetes = await startKubernetes(flags, prepared.info, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, () => performance.now() - windowStart);
  context.defer(() => kubernetes?.stop());
  const resolvedAddresses = await prepared.resolvedAddresses;
  /** The window judged with the Service's endpoints now and the changes seen during it; the next window starts. */
  const judge = (window: RunResult): ProbeReport => {
    const facts = kubernetes?.takeWindow() ?? null;
    windowStart = performance.now();
    return prepared.analysisOf(withKubernetesFacts(window, facts), resolvedAddresses, null);
  };
  const render = (report: ProbeReport): string =>
    context.plan.format === 'json' ? renderJson(report, { compact: true }) : renderWindowLine(report, { color: context.plan.color });
  const run = startRun(
    () =>
      startWindowedProbe(
        options,
        flags.reportInterval ?? DEFAULT_REPORT_INTERVAL_MS,
        (window) => {
          const report = judge(window);
          metrics?.addWindow(report);
          process.stdout.write(render(report));
        },
        context.signal,
      ),
    options,
  );
  const last = await run.done;
  if (last.stopReason === 'connect-timeout') throw new TargetUnavailableError(connectTimeoutMessage(last, tls));
  // Every RPC refused before reaching a server for --connect-timeout: the run stopped by itself.
  if (last.stopReason === 'refused') throw new TargetUnavailableError(noSuccessMessage(last, tls));
  const report = judge(last);
  metrics?.addWindow(report);
  const line = (): string => render(report);
  return {
    renderings: { table: line, json: line, markdown: line, html: line },
    exitCode: () => {
      // Stopped by a signal is how a continuous run ends; a last window with RPCs and no success says why.
      if (last.rpcs.total > 0 && last.rpcs.ok === 0) process.stderr.write(`grpclb-probe: last window: ${noSuccessMessage(last, tls)}\n`);
      return EXIT.ok;
    },
  };
}
