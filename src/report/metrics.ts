// The Prometheus exposition of a continuous run (`run --forever --metrics-port P`), through
// prom-client: each window's report (the same ProbeReport every reporter renders) added to the
// counters and the latency histogram, and the window's judgement set on the gauges.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { recordedValues } from '../result/histogram.js';
import type { ProbeReport, Verdict } from '../result/report.js';
import { capLength } from './sanitize.js';

/** Latency buckets, seconds: 0.5 ms to 10 s, for RPCs that take a millisecond in a cluster and seconds when something is wrong. */
export const LATENCY_BUCKETS_S: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Every verdict, so `grpclb_probe_verdict` has a series each (0, or 1 for the current one). */
const VERDICTS: readonly Verdict[] = ['UNSTABLE', 'UNKNOWN', 'PINNED', 'PARTIAL', 'BALANCED'];

/**
 * Windows a backend may be absent before its series are removed: a rolling restart's pods come
 * and go for days, and a series per pod that ever answered would grow without bound.
 */
export const FORGET_AFTER_WINDOWS = 10;

/** The `backend` label of failed RPCs, which rarely name their server. */
export const NO_BACKEND = '';

/**
 * The metrics of one continuous run, in their own registry:
 * - `grpclb_probe_rpcs_total{backend,status}`: counter; successful RPCs per backend (`status="OK"`),
 *   failed ones per status with `backend=""`;
 * - `grpclb_probe_latency_seconds{backend}`: histogram of successful RPCs' latency ({@link LATENCY_BUCKETS_S});
 * - `grpclb_probe_skew`: the last window's skew (largest share over the fair share; 0 with no RPC);
 * - `grpclb_probe_backends{state="expected|answering"}`: the last window's expected set and the backends that answered;
 * - `grpclb_probe_verdict{verdict}`: 1 for the last window's verdict, 0 for the others;
 * - when the call streams, `grpclb_probe_streams{backend}`: gauge, streams open on the backend at
 *   the last window's end (0 for a backend that held some before), and
 *   `grpclb_probe_streams_opened_total{backend}`: counter, streams opened on it (a stream held
 *   across windows is counted once, when it opened).
 * Every series carries `target`. Names follow the Prometheus naming practices (base units, `_total`).
 */
export class ProbeMetrics {
  readonly registry = new Registry();
  private readonly rpcs = new Counter({ name: 'grpclb_probe_rpcs_total', help: 'RPCs by the backend that answered and their status', labelNames: ['backend', 'status'], registers: [this.registry] });
  private readonly latency = new Histogram({
    name: 'grpclb_probe_latency_seconds',
    help: 'Latency of successful RPCs by the backend that answered',
    labelNames: ['backend'],
    buckets: [...LATENCY_BUCKETS_S],
    registers: [this.registry],
  });
  private readonly skew = new Gauge({ name: 'grpclb_probe_skew', help: 'Largest share of RPCs over the fair share in the last window (1 is perfect)', registers: [this.registry] });
  private readonly backends = new Gauge({ name: 'grpclb_probe_backends', help: 'Backends expected and answering in the last window', labelNames: ['state'], registers: [this.registry] });
  private readonly verdict = new Gauge({ name: 'grpclb_probe_verdict', help: 'The last window\u2019s verdict: 1 for the current one', labelNames: ['verdict'], registers: [this.registry] });
  /** The stream series, made with the first window of a streaming call (a unary run has none). */
  private streams: { readonly open: Gauge; readonly opened: Counter } | null = null;
  /** Backend label to the window it last answered in. */
  private readonly lastSeen = new Map<string, number>();
  private windows = 0;

  /** @param target the run's target, a label on every series. */
  constructor(target: string) {
    this.registry.setDefaultLabels({ target });
    for (const verdict of VERDICTS) this.verdict.set({ verdict }, 0);
  }

  /** Adds one window's report: its counts to the counters and histogram, its judgement to the gauges. */
  addWindow(report: ProbeReport): void {
    this.windows += 1;
    const { result, skew, diagnosis, expected } = report;
    for (const backend of result.backends) {
      const label = capLength(backend.name);
      this.lastSeen.set(label, this.windows);
      this.rpcs.inc({ backend: label, status: 'OK' }, backend.rpcs);
      for (const { valueUs, count } of recordedValues(backend.histogram)) {
        for (let index = 0; index < count; index += 1) this.latency.observe({ backend: label }, valueUs / 1e6);
      }
    }
    for (const [status, count] of Object.entries(result.rpcs.byStatus)) {
      if (status !== 'OK' && count > 0) this.rpcs.inc({ backend: NO_BACKEND, status: capLength(status) }, count);
    }
    this.skew.set(skew.totalRpcs > 0 ? skew.skew : 0);
    this.backends.set({ state: 'expected' }, expected.count);
    this.backends.set({ state: 'answering' }, result.backends.length);
    for (const verdict of VERDICTS) this.verdict.set({ verdict }, verdict === diagnosis.verdict ? 1 : 0);
    this.addStreams(report);
    this.forgetGone();
  }

  /** A streaming call's window: streams opened to the counter, streams open at its end to the gauge. */
  private addStreams(report: ProbeReport): void {
    const block = report.result.streams ?? null;
    if (block === null) return;
    const streams = (this.streams ??= {
      open: new Gauge({ name: 'grpclb_probe_streams', help: 'Streams open on the backend at the end of the last window', labelNames: ['backend'], registers: [this.registry] }),
      opened: new Counter({ name: 'grpclb_probe_streams_opened_total', help: 'Streams opened, by the backend that held them', labelNames: ['backend'], registers: [this.registry] }),
    });
    const openNow = new Map<string, number>();
    for (const backend of block.backends) {
      const label = capLength(backend.name);
      this.lastSeen.set(label, this.windows);
      openNow.set(label, (openNow.get(label) ?? 0) + backend.openAtEnd);
      streams.opened.inc({ backend: label }, backend.opened);
    }
    // A backend that held streams before and holds none now reads 0 until it is forgotten.
    for (const label of this.lastSeen.keys()) streams.open.set({ backend: label }, openNow.get(label) ?? 0);
  }

  /** Removes the series of backends that did not answer the last {@link FORGET_AFTER_WINDOWS} windows. */
  private forgetGone(): void {
    for (const [backend, window] of this.lastSeen) {
      if (this.windows - window < FORGET_AFTER_WINDOWS) continue;
      this.lastSeen.delete(backend);
      this.rpcs.remove({ backend, status: 'OK' });
      this.latency.remove({ backend });
      this.streams?.open.remove({ backend });
      this.streams?.opened.remove({ backend });
    }
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** The Content-Type of {@link text}. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
