// Client B: what `grpclb-probe run -t T -n N -c C -o json -q` does, in-process: the probe
// engine with all recording on (histograms per backend, channel matrix, timeline), then the
// analysis and the JSON report. Prints the same JSON line as client A, plus, with a fourth
// argument, the RSS seen by the first `checkpoint` RPCs and by the end (the memory check).
import { startProbe } from '../dist/engine/probe.js';
import { analyze } from '../dist/analysis/analyze.js';
import { renderJson } from '../dist/report/json.js';

const [target, callsText, concurrencyText, checkpointText] = process.argv.slice(2);
const calls = Number(callsText);
const checkpoint = checkpointText === undefined ? null : Number(checkpointText);
let rssAtCheckpoint = 0;
let rssAtEnd = 0;
const cpuStart = process.cpuUsage();
const run = startProbe({ target, lbPolicy: null, calls, durationMs: null, concurrency: Number(concurrencyText), deadlineMs: 5000 });
const sampler =
  checkpoint === null
    ? null
    : setInterval(() => {
        const rss = process.memoryUsage.rss();
        if (run.snapshot().done <= checkpoint) rssAtCheckpoint = Math.max(rssAtCheckpoint, rss);
        rssAtEnd = Math.max(rssAtEnd, rss);
      }, 50);
const result = await run.done;
const report = renderJson(analyze(result, { expectedBackends: null, resolvedAddresses: [target], topology: null }));
const cpu = process.cpuUsage(cpuStart);
if (sampler !== null) clearInterval(sampler);
rssAtEnd = Math.max(rssAtEnd, process.memoryUsage.rss());
process.stdout.write(
  JSON.stringify({
    rpcs: result.rpcs.total,
    failed: result.rpcs.failed,
    elapsedMs: result.elapsedMs,
    cpuUs: cpu.user + cpu.system,
    maxRssKb: process.resourceUsage().maxRSS,
    reportBytes: report.length,
    rssAtCheckpointMb: rssAtCheckpoint / 2 ** 20,
    rssAtEndMb: rssAtEnd / 2 ** 20,
  }) + '\n',
);
