// `serve` under a flood (issue 14): h2load floods `grpclb-probe serve` with SayHello for
// BENCH_FLOOD_SECONDS (default 30) while a separate grpc-js client asks
// grpc.health.v1.Health/Check every 500 ms. Samples the server's RSS every second from
// /proc/PID/status. Targets: RSS growth after the warm-up (the first 5 s) under 10 MB, and
// every Health/Check answered within 100 ms. Prints the figures; `run.mjs` calls it last.
// RSS saw-tooths by tens of MB with V8's garbage collection under a flood, so growth compares
// floors (what survives collection): the lowest sample of the last 10 s minus the lowest of the
// 10 s right after the warm-up; peaks are printed too.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';

const seconds = Number(process.env.BENCH_FLOOD_SECONDS ?? 30);
const warmupSeconds = 5;
const bin = fileURLToPath(new URL('../bin/grpclb-probe.js', import.meta.url));
// As run.mjs: the server on core 0, the flood and the health checker on core 1, when possible.
const hasTaskset = spawnSync('taskset', ['--version']).status === 0 && os.availableParallelism() >= 2;
const pin = (core, argv) => (hasTaskset ? ['taskset', ['-c', String(core), ...argv]] : [argv[0], argv.slice(1)]);

/** RSS of a process in MB (Linux /proc). */
function rssMb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

function startServe() {
  const [command, args] = pin(0, [process.execPath, bin, 'serve', '--host', '127.0.0.1', '--port', '0', '--hostname', 'flooded', '--drain-ms', '1000']);
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

/** One Health/Check, its latency in ms (rejects on failure). Empty request: service "". */
function healthCheck(client) {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      (request) => request,
      (reply) => reply,
      Buffer.alloc(0),
      new grpc.Metadata(),
      { deadline: Date.now() + 5000 },
      (error) => (error ? reject(error) : resolve(Number(process.hrtime.bigint() - started) / 1e6)),
    );
  });
}

if (spawnSync('h2load', ['--version']).status !== 0) {
  console.log('serve flood: skipped (h2load from nghttp2-client is not installed)');
  process.exit(0);
}

const { child, port } = await startServe();
const message = Buffer.concat([Buffer.from([0x0a, 12]), Buffer.from('grpclb-probe')]);
const requestFile = `${os.tmpdir()}/grpclb-probe-flood-request.bin`;
writeFileSync(requestFile, Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]));
const [floodCommand, floodArgs] = pin(1, [
  'h2load', '-D', String(seconds), '-c', '8', '-m', '32', '-d', requestFile, '-H', 'content-type: application/grpc', '-H', 'te: trailers',
  `http://127.0.0.1:${port}/helloworld.Greeter/SayHello`,
]);
const flood = spawn(floodCommand, floodArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
let floodOut = '';
flood.stdout.on('data', (chunk) => (floodOut += chunk));
const floodDone = new Promise((resolve) => flood.once('exit', resolve));

const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
const rss = [];
const health = [];
let healthFailed = 0;
const started = Date.now();
const sampler = setInterval(() => rss.push({ atS: (Date.now() - started) / 1000, mb: rssMb(child.pid) }), 1000);
const checker = setInterval(() => {
  healthCheck(client).then((ms) => health.push(ms), () => (healthFailed += 1));
}, 500);
await floodDone;
clearInterval(sampler);
clearInterval(checker);
await new Promise((resolve) => setTimeout(resolve, 600));
client.close();
child.kill('SIGTERM');

const afterWarmup = rss.filter((sample) => sample.atS >= warmupSeconds).map((sample) => sample.mb);
const baseline = Math.min(...afterWarmup.slice(0, 10));
const final = Math.min(...afterWarmup.slice(-10));
const peak = Math.max(...afterWarmup);
const growth = final - baseline;
const sorted = [...health].sort((left, right) => left - right);
const worst = sorted.at(-1) ?? NaN;
const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? NaN;
const requests = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(floodOut)?.[1] ?? 'n/a';
const rssMet = growth < 10;
const healthMet = healthFailed === 0 && worst <= 100;
console.log(
  `serve flood: h2load ${seconds} s, 8 connections x 32 streams: ${requests} RPC/s; serve RSS floor ${baseline.toFixed(1)} MB in the 10 s after ${warmupSeconds} s, ` +
    `${final.toFixed(1)} MB in the last 10 s (peak ${peak.toFixed(1)}): growth ${growth.toFixed(1)} MB (target < 10 MB) ${rssMet ? 'met' : 'MISSED'}`,
);
console.log(
  `serve flood: Health/Check every 500 ms: ${health.length} answered, ${healthFailed} failed, p50 ${(sorted[Math.floor(sorted.length / 2)] ?? NaN).toFixed(1)} ms, ` +
    `p99 ${p99.toFixed(1)} ms, max ${worst.toFixed(1)} ms, ${health.filter((ms) => ms > 100).length} over 100 ms (target every one <= 100 ms) ${healthMet ? 'met' : 'MISSED'}`,
);
if (process.env.BENCH_FLOOD_VERBOSE === "1") console.log(rss.map((sample) => `${sample.atS.toFixed(0)}s ${sample.mb.toFixed(0)}`).join(" "));
process.exitCode = rssMet && healthMet ? 0 : 1;
