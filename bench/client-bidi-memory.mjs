// The long-run memory check of the bidi rows: S SayHelloBidiStream streams at interval 0, each
// ended and opened again after --max-stream-age (so tens of thousands of streams come and go),
// N messages in all, with all recording on. Samples RSS and the V8 heap (after a forced GC, so
// garbage does not read as growth) in each tenth of the messages.
// Arguments: target messages streams maxStreamAgeMs. Run with --expose-gc. Prints one JSON line.
import { builtinCall, startProbe } from '../dist/engine/probe.js';
import { analyze } from '../dist/analysis/analyze.js';
import { renderJson } from '../dist/report/json.js';

const [target, messagesText, streamsText, ageText] = process.argv.slice(2);
const messages = Number(messagesText);
const run = startProbe({
  target,
  lbPolicy: null,
  calls: messages,
  durationMs: null,
  concurrency: 1,
  deadlineMs: 5000,
  call: builtinCall('helloworld.Greeter/SayHelloBidiStream'),
  stream: { streams: Number(streamsText), messagesPerStream: null, intervalMs: 0, maxStreamAgeMs: Number(ageText) },
});
// Per tenth of the messages, the largest RSS and heap seen in it (the heap after a forced GC).
const tenths = Array.from({ length: 10 }, () => ({ rssMb: 0, heapMb: 0 }));
const sampler = setInterval(() => {
  const tenth = tenths[Math.min(9, Math.floor((run.snapshot().done / messages) * 10))];
  globalThis.gc?.();
  const usage = process.memoryUsage();
  tenth.rssMb = Math.max(tenth.rssMb, usage.rss / 2 ** 20);
  tenth.heapMb = Math.max(tenth.heapMb, usage.heapUsed / 2 ** 20);
}, 100);
const result = await run.done;
clearInterval(sampler);
const report = renderJson(analyze(result, { expectedBackends: null, resolvedAddresses: [target], topology: null }));
process.stdout.write(
  JSON.stringify({
    rpcs: result.rpcs.total,
    failed: result.rpcs.failed,
    elapsedMs: result.elapsedMs,
    streamsOpened: result.streams?.opened ?? 0,
    maxAgeEnds: result.streams?.endsByReason['max-age'] ?? 0,
    reportBytes: report.length,
    // The second tenth (past start-up) against the last.
    first: tenths[1],
    last: tenths[9],
    tenths,
  }) + '\n',
);
