// The long-run memory check of the bidi rows: S SayHelloBidiStream streams at interval 0, each
// ended and opened again after --max-stream-age (so tens of thousands of streams come and go),
// N messages in all, with all recording on. Samples RSS and the V8 heap (after a forced GC, so
// garbage does not read as growth) over the first and the last tenth of the messages.
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
const windows = { first: { rssMb: 0, heapMb: 0 }, last: { rssMb: 0, heapMb: 0 } };
const sampler = setInterval(() => {
  const done = run.snapshot().done;
  const window = done >= 0.05 * messages && done <= 0.15 * messages ? windows.first : done >= 0.85 * messages ? windows.last : null;
  if (window === null) return;
  globalThis.gc?.();
  const usage = process.memoryUsage();
  window.rssMb = Math.max(window.rssMb, usage.rss / 2 ** 20);
  window.heapMb = Math.max(window.heapMb, usage.heapUsed / 2 ** 20);
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
    first: windows.first,
    last: windows.last,
  }) + '\n',
);
