// `npm run bench`: a bare grpc-js loop (A) against grpclb-probe's engine with all recording
// on (B), alternating, against one Greeter server process, at several concurrencies; the same
// for a custom service whose message types are loaded from a .proto at run time, with the
// backend read from a reply field (`dyn` rows); messages per second on bidi streams against a bare
// grpc-js bidi loop with the same streams and interval 0 (`bidi` rows); the whole CLI process as a user runs it
// against a bare loop process warmed up the same way; then the memory check (1,000,000 RPCs
// against 100,000; then bidi streams re-opened by --max-stream-age, heap and RSS early against late). Prints ratios; writes nothing. First, start-up: `grpclb-probe --version`
// and `--help` against `node -e 0`, in the same run. Last, `serve` under an h2load flood
// (serve-flood.mjs; BENCH_FLOOD_SECONDS, default 30). After the whole-process rows, the fixed-rate
// rows (rate.mjs): --rps at 0.5 and 0.9 x the closed-loop max of this run, without --concurrency.
//
// Environment: BENCH_ROUNDS (default 5 per side), BENCH_QUICK=1 (smaller counts, no memory check),
// BENCH_STARTUP_ONLY=1 (the start-up figures only).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { rateRows } from './rate.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const rounds = Number(process.env.BENCH_ROUNDS ?? (quick ? 2 : 5));
const plan = quick
  ? [ { concurrency: 1, calls: 2000 }, { concurrency: 16, calls: 10000 }, { concurrency: 128, calls: 10000 } ]
  : [ { concurrency: 1, calls: 5000 }, { concurrency: 16, calls: 30000 }, { concurrency: 128, calls: 30000 } ];
const hasTaskset = spawnSync('taskset', ['--version']).status === 0 && os.availableParallelism() >= 2;
const pin = (core, argv) => (hasTaskset ? ['taskset', ['-c', String(core), ...argv]] : [argv[0], argv.slice(1)]);

function startServer() {
  const [command, args] = pin(0, [process.execPath, here('./server.mjs')]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (chunk) => {
      const [port, echoPort] = String(chunk).trim().split(' ').map(Number);
      resolve({ child, port, echoPort });
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

function runClient(script, args, nodeFlags = []) {
  const [command, argv] = pin(1, [process.execPath, ...nodeFlags, here(script), ...args]);
  const out = execFileSync(command, argv, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
}

const median = (values) => {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const fmt = (value, digits = 0) => value.toFixed(digits);

function h2loadThroughput(port, calls, concurrency) {
  if (spawnSync('h2load', ['--version']).status !== 0) return null;
  // One gRPC message: uncompressed flag, 4-byte length, HelloRequest{name = "grpclb-probe"}.
  const message = Buffer.concat([Buffer.from([0x0a, 12]), Buffer.from('grpclb-probe')]);
  const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);
  const file = `${os.tmpdir()}/grpclb-probe-bench-request.bin`;
  execFileSync('sh', ['-c', `cat > ${file}`], { input: frame });
  const [command, argv] = pin(1, [
    'h2load', '-n', String(calls), '-c', '1', '-m', String(concurrency), '-d', file,
    '-H', 'content-type: application/grpc', '-H', 'te: trailers',
    `http://127.0.0.1:${port}/helloworld.Greeter/SayHello`,
  ]);
  const out = execFileSync(command, argv, { encoding: 'utf8' });
  const match = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out);
  return match ? Number(match[1]) : null;
}

/** Median wall time of `argv` run to completion, ms, over `runs` runs (after one unmeasured). */
function startupMs(argv, runs) {
  const times = [];
  for (let run = 0; run <= runs; run += 1) {
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, argv, { stdio: 'ignore' });
    if (child.status !== 0) throw new Error(`${argv.join(' ')} exited with ${child.status}`);
    if (run > 0) times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

const startupRuns = quick ? 5 : 15;
const bin = here('../bin/grpclb-probe.js');
const nodeAlone = startupMs(['-e', '0'], startupRuns);
const startupTarget = 200;
let startupMet = true;
for (const flag of ['--version', '--help']) {
  const ms = startupMs([bin, flag], startupRuns);
  const met = ms <= startupTarget;
  console.log(
    `start-up: grpclb-probe ${flag.padEnd(9)} ${fmt(ms)} ms median of ${startupRuns}, node -e 0 ${fmt(nodeAlone)} ms, ratio ${fmt(ms / nodeAlone, 2)} ` +
      `(target <= ${startupTarget} ms) ${met ? 'met' : 'MISSED'}`,
  );
  startupMet &&= met;
}
console.log('');
if (process.env.BENCH_STARTUP_ONLY === '1') {
  console.log(startupMet ? 'start-up targets met' : 'start-up targets MISSED');
  process.exit(startupMet ? 0 : 1);
}

const { child: server, port, echoPort } = await startServer();
const target = `127.0.0.1:${port}`;
console.log(`grpclb-probe bench ${new Date().toISOString()}  node ${process.version}  ${os.cpus()[0]?.model ?? 'cpu'} x${os.availableParallelism()}  ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
console.log(`server pinned to core 0, clients to core 1: ${hasTaskset ? 'yes' : 'no (taskset missing or one core)'}; ${rounds} rounds per side, A and B alternating\n`);
const targets = { rps: 0.95, cpu: 1.05, rss: 1.25 };
let allMet = startupMet;
try {
  runClient('./client-bare.mjs', [target, '2000', '16']); // warm the server's JIT
  console.log('    conc  calls   A RPC/s med (min-max)      B RPC/s med (min-max)      B/A RPC/s  A CPU us/RPC  B CPU us/RPC  B/A CPU  A RSS MB  B RSS MB  B/A RSS  h2load RPC/s  A/h2  B/h2');
  const compare = (label, concurrency, calls, [scriptA, extraA], [scriptB, serverPort]) => {
    const rowTarget = `127.0.0.1:${serverPort}`;
    const a = [];
    const b = [];
    for (let round = 0; round < rounds; round += 1) {
      a.push(runClient(scriptA, [rowTarget, String(calls), String(concurrency), ...extraA]));
      b.push(runClient(scriptB, [rowTarget, String(calls), String(concurrency)]));
    }
    for (const sample of [...a, ...b]) if (sample.failed > 0) throw new Error(`${sample.failed} RPCs failed at concurrency ${concurrency}`);
    const rps = (samples) => samples.map((sample) => (sample.rpcs * 1000) / sample.elapsedMs);
    const cpu = (samples) => median(samples.map((sample) => sample.cpuUs / sample.rpcs));
    const rss = (samples) => Math.max(...samples.map((sample) => sample.maxRssKb)) / 1024;
    const [rpsA, rpsB] = [rps(a), rps(b)];
    const ratioRps = median(rpsB) / median(rpsA);
    const ratioCpu = cpu(b) / cpu(a);
    const ratioRss = rss(b) / rss(a);
    const wire = label === '' ? h2loadThroughput(port, calls, concurrency) : null;
    const checked = concurrency >= 16;
    const met = (!checked || ratioRps >= targets.rps) && ratioCpu <= targets.cpu && ratioRss <= targets.rss;
    allMet &&= met;
    console.log(
      [
        (label + String(concurrency)).padStart(8),
        String(calls).padStart(6),
        `${fmt(median(rpsA)).padStart(7)} (${fmt(Math.min(...rpsA))}-${fmt(Math.max(...rpsA))})`.padEnd(26),
        `${fmt(median(rpsB)).padStart(7)} (${fmt(Math.min(...rpsB))}-${fmt(Math.max(...rpsB))})`.padEnd(26),
        fmt(ratioRps, 3).padStart(9),
        fmt(cpu(a), 1).padStart(12),
        fmt(cpu(b), 1).padStart(12),
        fmt(ratioCpu, 3).padStart(7),
        fmt(rss(a), 1).padStart(8),
        fmt(rss(b), 1).padStart(8),
        fmt(ratioRss, 3).padStart(7),
        (wire === null ? 'n/a' : fmt(wire)).padStart(12),
        (wire === null ? 'n/a' : fmt(median(rpsA) / wire, 2)).padStart(5),
        (wire === null ? 'n/a' : fmt(median(rpsB) / wire, 2)).padStart(5),
        met ? ' met' : ' MISSED',
      ].join('  '),
    );
  };
  for (const { concurrency, calls } of plan) {
    compare('', concurrency, calls, ['./client-bare.mjs', []], ['./client-probe.mjs', port]);
  }
  // A: Echo/Say with proto-loader's codecs; B: the engine with protobufjs types from the .proto,
  // the request encoded once, the backend from the reply's `pod` field (--backend-from field:pod).
  for (const { concurrency, calls } of plan.filter((row) => row.concurrency >= 16)) {
    compare('dyn ', concurrency, calls, ['./client-bare.mjs', ['echo']], ['./client-dynamic.mjs', echoPort]);
  }
  console.log('(dyn rows: Echo/Say from fixtures/echo.proto; A through proto-loader, B with types loaded at run time and --backend-from field:pod)');
  // A: a bare grpc-js bidi loop, S streams, the next message as soon as the reply came; B: the
  // stream workers (--call SayHelloBidiStream --streams S --stream-interval 0), messages per second.
  for (const { concurrency, calls } of plan.filter((row) => row.concurrency >= 16)) {
    compare('bidi ', concurrency, calls, ['./client-bidi-bare.mjs', []], ['./client-bidi-probe.mjs', port]);
  }
  console.log('(bidi rows: SayHelloBidiStream, conc = streams held open, RPC/s = messages per second; A a bare grpc-js loop, B the stream workers with all recording on)');
  console.log(`\ntargets: B/A RPC/s >= ${targets.rps} at concurrency 16 and 128; B/A CPU per RPC <= ${targets.cpu}; B/A peak RSS <= ${targets.rss}`);
  // The whole CLI process as a user runs it (start-up, warmup, progress off, analysis, JSON
  // report, exit) against a bare-loop process warmed up the same way; RPC/s over the measured
  // 3 s, and CPU over the whole process per measured RPC (preloaded rusage.mjs reports it).
  const timedProcess = (argv, parse) => {
    const file = `${os.tmpdir()}/grpclb-probe-bench-rusage-${process.pid}.jsonl`;
    execFileSync('sh', ['-c', `: > ${file}`]);
    const [command, args] = pin(1, [process.execPath, '--import', here('./rusage.mjs'), ...argv]);
    const started = process.hrtime.bigint();
    const out = execFileSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, BENCH_RUSAGE_FILE: file } });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const usage = JSON.parse(execFileSync('cat', [file], { encoding: 'utf8' }).trim().split('\n').pop());
    return { ...parse(out), wallMs, ...usage };
  };
  console.log('\nwhole process: A = bare loop process (warmup 1 s, then 3 s), B = grpclb-probe run -t T -q -o json --warmup 1s -z 3s -c C --deadline-ms 5000 (the bare loop\u2019s deadline)');
  console.log('    conc  A RPC/s med   B RPC/s med   B/A RPC/s  A CPU us/RPC  B CPU us/RPC  B/A CPU  A wall s  B wall s  A RSS MB  B RSS MB');
  let closedMax = 0;
  for (const concurrency of [1, 16]) {
    const a = [];
    const b = [];
    for (let round = 0; round < (quick ? 2 : rounds); round += 1) {
      a.push(timedProcess([here('./client-bare-timed.mjs'), target, String(concurrency), '1000', '3000'], (out) => JSON.parse(out.trim().split('\n').pop())));
      b.push(
        timedProcess([bin, 'run', '-t', target, '-q', '-o', 'json', '--warmup', '1s', '-z', '3s', '-c', String(concurrency), '--deadline-ms', '5000'], (out) => {
          const json = JSON.parse(out);
          return { rpcs: json.rpcs.total, failed: json.rpcs.failed, elapsedMs: json.elapsedMs };
        }),
      );
    }
    for (const sample of [...a, ...b]) if (sample.failed > 0) throw new Error(`${sample.failed} RPCs failed (whole process, concurrency ${concurrency})`);
    const rpsOf = (samples) => median(samples.map((sample) => (sample.rpcs * 1000) / sample.elapsedMs));
    const cpuOf = (samples) => median(samples.map((sample) => sample.cpuUs / sample.rpcs));
    const ratioRps = rpsOf(b) / rpsOf(a);
    const ratioCpu = cpuOf(b) / cpuOf(a);
    const met = concurrency < 16 || ratioRps >= targets.rps;
    allMet &&= met;
    if (concurrency === 16) closedMax = rpsOf(b);
    console.log(
      [
        String(concurrency).padStart(8),
        fmt(rpsOf(a)).padStart(11),
        fmt(rpsOf(b)).padStart(12),
        fmt(ratioRps, 3).padStart(10),
        fmt(cpuOf(a), 1).padStart(12),
        fmt(cpuOf(b), 1).padStart(12),
        fmt(ratioCpu, 3).padStart(7),
        fmt(median(a.map((sample) => sample.wallMs)) / 1000, 2).padStart(8),
        fmt(median(b.map((sample) => sample.wallMs)) / 1000, 2).padStart(8),
        fmt(Math.max(...a.map((sample) => sample.maxRssKb)) / 1024, 1).padStart(8),
        fmt(Math.max(...b.map((sample) => sample.maxRssKb)) / 1024, 1).padStart(8),
        met ? ' met' : ' MISSED',
      ].join('  '),
    );
  }
  console.log(`whole-process target: B/A RPC/s >= ${targets.rps} at concurrency 16 (CPU per RPC includes start-up and reporting: shown, not gated)`);
  allMet &&= rateRows(pin, bin, target, closedMax);
  if (!quick) {
    const memory = runClient('./client-probe.mjs', [target, '1000000', '128', '100000']);
    const growth = memory.rssAtEndMb - memory.rssAtCheckpointMb;
    allMet &&= growth <= 10;
    console.log(
      `memory: 1,000,000 RPCs at concurrency 128: RSS ${fmt(memory.rssAtCheckpointMb, 1)} MB by 100,000 RPCs, ${fmt(memory.rssAtEndMb, 1)} MB by 1,000,000: ` +
        `growth ${fmt(growth, 1)} MB (target <= 10 MB) ${growth <= 10 ? 'met' : 'MISSED'}`,
    );
    // Streams come and go: 128 bidi streams at interval 0, each re-opened after 200 ms
    // (--max-stream-age), 500,000 messages; the heap (after a forced GC) and RSS of the second
    // tenth of the messages against the last. Streams and messages are counted, never kept.
    const streams = runClient('./client-bidi-memory.mjs', [target, '500000', '128', '200'], ['--expose-gc']);
    if (streams.failed > 0) throw new Error(`${streams.failed} messages failed (stream memory check)`);
    const heapRatio = streams.last.heapMb / streams.first.heapMb;
    const rssRatio = streams.last.rssMb / streams.first.rssMb;
    const streamsMet = heapRatio <= 1.1 && streams.last.rssMb - streams.first.rssMb <= 10;
    allMet &&= streamsMet;
    console.log(
      `memory: bidi streams re-opened by --max-stream-age 200ms, 128 at once, ${streams.streamsOpened} opened over 500,000 messages: ` +
        `heap ${fmt(streams.first.heapMb, 1)} -> ${fmt(streams.last.heapMb, 1)} MB (x${fmt(heapRatio, 3)}, target <= 1.1), ` +
        `RSS ${fmt(streams.first.rssMb, 1)} -> ${fmt(streams.last.rssMb, 1)} MB (x${fmt(rssRatio, 3)}, growth target <= 10 MB) ${streamsMet ? 'met' : 'MISSED'}`,
    );
  }
} finally {
  server.kill('SIGTERM');
}
// `serve` under an h2load flood: RSS flat, Health/Check still quick (bench/serve-flood.mjs).
console.log('');
const flood = spawnSync(process.execPath, [here('./serve-flood.mjs')], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, BENCH_FLOOD_SECONDS: process.env.BENCH_FLOOD_SECONDS ?? (quick ? '10' : '30') },
});
allMet &&= flood.status === 0;
console.log(allMet ? '\nall targets met' : '\nsome targets MISSED');
