// `run --forever --metrics-port` scraped by a real Prometheus (Debian's package; .ci/run installs
// it) on loopback, the series read back through its HTTP API; and the bad input of --forever.
// Skips, saying why, where Prometheus is not installed.
import './resolver-env.js';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { GreeterServer } from '../src/server/greeter.js';
import { ipv4Target, runCli, startServers, stopServers, type CliOutcome } from './helpers.js';

const PROMETHEUS = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
const skip = existsSync(PROMETHEUS) ? false : `no Prometheus at ${PROMETHEUS} (apt-get install prometheus, or set PROMETHEUS_PATH)`;

/** A port free on 127.0.0.1 a moment ago (Prometheus takes no port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One instant-vector query; the samples' labels and values. */
async function query(base: string, expression: string): Promise<{ metric: Record<string, string>; value: number }[]> {
  const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expression)}`, { signal: AbortSignal.timeout(2000) });
  const body = (await response.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  assert.equal(body.status, 'success');
  return body.data.result.map((sample) => ({ metric: sample.metric, value: Number(sample.value[1]) }));
}

/** Polls `check` every 500 ms until it returns true, for at most `timeoutMs`. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

/** A Prometheus on loopback scraping `metricsUrl` every second; `stop` waits for it to exit. */
function startPrometheus(dir: string, metricsUrl: string, webPort: number): { base: string; log: () => string; stop: () => Promise<void> } {
  const config = join(dir, `prometheus-${webPort}.yml`);
  writeFileSync(config, `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: grpclb-probe\n    static_configs:\n      - targets: ['${new URL(metricsUrl).host}']\n`);
  const child = spawn(
    PROMETHEUS,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, `data-${webPort}`)}`, `--web.listen-address=127.0.0.1:${webPort}`, '--log.level=error'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-2000)));
  return {
    base: `http://127.0.0.1:${webPort}`,
    log: () => log,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      child.kill('SIGKILL');
    },
  };
}

/** Spawns `run ... --metrics-port 0` and resolves with its metrics URL once it says it (the probe child is handed to `onChild`). */
function spawnForever(args: readonly string[], onChild: (child: ChildProcess) => void): { url: Promise<string>; outcome: Promise<CliOutcome> } {
  let metricsUrl: string | null = null;
  let seen!: (url: string) => void;
  const metricsReady = new Promise<string>((resolve) => (seen = resolve));
  const outcome = runCli(['run', ...args, '--forever', '--report-interval', '1s', '--metrics-port', '0', '-o', 'json'], {
    timeoutMs: 60_000,
    onStderr: (text, child) => {
      onChild(child);
      const match = /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(text);
      if (match !== null && metricsUrl === null) seen((metricsUrl = match[1] as string));
    },
  });
  const url = Promise.race([metricsReady, outcome.then((early) => assert.fail(`the probe ended first: ${early.stderr}`))]);
  return { url, outcome };
}

describe('run --forever scraped by Prometheus', { skip }, () => {
  let servers: GreeterServer[];
  let dir: string;
  const prometheuses: ReturnType<typeof startPrometheus>[] = [];
  const probes: ChildProcess[] = [];
  before(async () => {
    servers = await startServers(3, 'scraped');
    dir = mkdtempSync(join(tmpdir(), 'grpclb-probe-prometheus-'));
  });
  after(async () => {
    for (const probe of probes) probe.kill('SIGKILL');
    await Promise.all(prometheuses.map((prometheus) => prometheus.stop()));
    stopServers(servers ?? []);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('every series named in the README reaches Prometheus; SIGINT ends the run with exit 0 and one JSON document per window', async () => {
    let probe: ChildProcess | undefined;
    const { url, outcome } = spawnForever(['-t', ipv4Target(servers), '--lb-policy', 'round_robin', '--rps', '40'], (child) => probes.push((probe ??= child)));
    const prometheus = startPrometheus(dir, await url, await freePort());
    prometheuses.push(prometheus);
    const { base } = prometheus;
    const answering = await eventually(async () => {
      const rpcs = await query(base, 'grpclb_probe_rpcs_total{status="OK"}');
      return new Set(rpcs.filter((sample) => sample.value > 0).map((sample) => sample.metric.backend)).size === 3;
    }, 30_000);
    assert.ok(answering, `three backends in grpclb_probe_rpcs_total within 30 s; prometheus: ${prometheus.log()}`);
    const balanced = await eventually(async () => (await query(base, 'grpclb_probe_verdict{verdict="BALANCED"}'))[0]?.value === 1, 15_000);
    assert.ok(balanced, 'grpclb_probe_verdict{verdict="BALANCED"} is 1');
    const [expected] = await query(base, 'grpclb_probe_backends{state="expected"}');
    assert.equal(expected?.value, 3);
    const [skew] = await query(base, 'grpclb_probe_skew');
    assert.ok(skew !== undefined && skew.value >= 1 && skew.value < 2, `skew ${skew?.value}`);
    const counts = await query(base, 'grpclb_probe_latency_seconds_count');
    assert.deepEqual(counts.map((sample) => sample.metric.backend).sort(), ['scraped-1', 'scraped-2', 'scraped-3']);
    const [p99] = await query(base, 'histogram_quantile(0.99, sum by (le) (grpclb_probe_latency_seconds_bucket))');
    assert.ok(p99 !== undefined && p99.value > 0 && p99.value <= 10, `p99 ${p99?.value} s`);
    assert.ok(counts.every((sample) => sample.metric.target === ipv4Target(servers)), 'every series names the target');
    probe!.kill('SIGINT');
    const ended = await outcome;
    assert.equal(ended.code, 0, ended.stderr);
    const documents = ended.stdout.trim().split('\n').map((line) => JSON.parse(line) as { stopReason: string; rpcs: { ok: number } });
    assert.ok(documents.length >= 3, `${documents.length} windows`);
    assert.deepEqual([...new Set(documents.slice(0, -1).map((document) => document.stopReason))], ['duration']);
    assert.equal(documents.at(-1)!.stopReason, 'interrupted');
  });

  it('a streaming call: grpclb_probe_streams counts the streams open per backend, and a stream held over many windows is opened once', async () => {
    let probe: ChildProcess | undefined;
    const args = ['-t', ipv4Target(servers), '--lb-policy', 'round_robin', '--call', 'helloworld.Greeter/SayHelloStreamReply', '--streams', '6'];
    const { url, outcome } = spawnForever(args, (child) => probes.push((probe ??= child)));
    const prometheus = startPrometheus(dir, await url, await freePort());
    prometheuses.push(prometheus);
    const { base } = prometheus;
    const open = async (): Promise<number> => (await query(base, 'sum(grpclb_probe_streams)'))[0]?.value ?? 0;
    assert.ok(await eventually(async () => (await open()) === 6, 30_000), `sum(grpclb_probe_streams) reaches 6 within 30 s; prometheus: ${prometheus.log()}`);
    // Four scrapes of the counter span three windows of 1 s: a held stream counted per window would read 18 by then.
    const spanned = await eventually(async () => (await query(base, 'count_over_time(grpclb_probe_streams_opened_total[1m])')).every((sample) => sample.value >= 4), 30_000);
    assert.ok(spanned, 'the counter was scraped over several windows');
    const [opened] = await query(base, 'sum(grpclb_probe_streams_opened_total)');
    assert.equal(opened?.value, 6, 'six streams opened, each counted once');
    assert.equal(await open(), 6);
    const perBackend = await query(base, 'grpclb_probe_streams');
    assert.ok(perBackend.every((sample) => sample.metric.target === ipv4Target(servers) && /^scraped-\d$/.test(sample.metric.backend ?? '')), JSON.stringify(perBackend));
    probe!.kill('SIGINT');
    const ended = await outcome;
    assert.equal(ended.code, 0, ended.stderr);
    type Window = { stopReason: string; skew: { totalRpcs: number }; streams: { opened: number; heldFromBefore?: number; openAtEnd: number } };
    const documents = ended.stdout.trim().split('\n').map((line) => JSON.parse(line) as Window);
    assert.ok(documents.length >= 3, `${documents.length} windows`);
    for (const window of documents.slice(1, -1)) {
      assert.deepEqual([window.streams.opened, window.streams.heldFromBefore, window.streams.openAtEnd], [0, 6, 6], 'later windows hold the six streams opened before');
      assert.equal(window.skew.totalRpcs, 6, 'each window is judged on the six streams it held');
    }
  });
});

describe('run --forever: bad input', () => {
  let servers: GreeterServer[];
  let busy: ReturnType<typeof createServer>;
  before(async () => {
    servers = await startServers(1, 'bad');
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  });
  after(() => {
    stopServers(servers ?? []);
    busy?.close();
  });

  it('a port in use or out of range, a window under 1 s, flags that need --forever or exclude it: one line, exit 2', async () => {
    const target = servers[0]!.address;
    const busyPort = (busy.address() as { port: number }).port;
    // The flags are refused as they are parsed; the two that bind start the command first, so they get more time.
    const cases: [string[], RegExp][] = [
      [['--forever', '--metrics-port', '65536'], /--metrics-port.*expected a port number from 0 to 65535/],
      [['--forever', '--metrics-port', '-1'], /--metrics-port/],
      [['--forever', '--report-interval', '500ms'], /--report-interval.*expected at least 1s/],
      [['--report-interval', '2s'], /--report-interval needs --forever/],
      [['--metrics-port', '9464'], /--metrics-port needs --forever/],
      [['--forever', '-n', '10'], /--forever and --total exclude each other/],
      [['--forever', '-o', 'html', '--out', 'x.html'], /-o html: --forever prints one line/],
      [['--forever', '--metrics-host', '127.0.0.1'], /--metrics-host needs --metrics-port/],
      [['--forever', '--metrics-port', String(busyPort)], new RegExp(`--metrics-port ${busyPort}: 127\\.0\\.0\\.1:${busyPort} is in use`)],
      [['--forever', '--metrics-port', '0', '--metrics-host', '192.0.2.77'], /--metrics-host 192\.0\.2\.77: cannot listen/],
    ];
    const outcomes = await Promise.all(cases.map(([args]) => runCli(['run', '-t', target, ...args], { timeoutMs: 45_000 })));
    outcomes.forEach((outcome, index) => {
      const [args, pattern] = cases[index]!;
      assert.equal(outcome.code, 2, `${args.join(' ')}: ${outcome.stderr}`);
      assert.match(outcome.stderr, pattern);
      assert.equal(outcome.stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${outcome.stderr}`);
      assert.equal(outcome.stdout, '', 'no window printed');
    });
  });
});
