// Client B of the bidi row: what `grpclb-probe run -t T --call helloworld.Greeter/SayHelloBidiStream
// --streams S --stream-interval 0 -n N -o json -q` does, in-process: the stream workers with all
// recording on, then the analysis and the JSON report. Same arguments and JSON line as client A.
import { builtinCall, startProbe } from '../dist/engine/probe.js';
import { analyze } from '../dist/analysis/analyze.js';
import { renderJson } from '../dist/report/json.js';

const [target, messagesText, streamsText] = process.argv.slice(2);
const cpuStart = process.cpuUsage();
const run = startProbe({
  target,
  lbPolicy: null,
  calls: Number(messagesText),
  durationMs: null,
  concurrency: 1,
  deadlineMs: 5000,
  call: builtinCall('helloworld.Greeter/SayHelloBidiStream'),
  stream: { streams: Number(streamsText), messagesPerStream: null, intervalMs: 0, maxStreamAgeMs: null },
});
const result = await run.done;
const report = renderJson(analyze(result, { expectedBackends: null, resolvedAddresses: [target], topology: null }));
const cpu = process.cpuUsage(cpuStart);
process.stdout.write(
  JSON.stringify({ rpcs: result.rpcs.total, failed: result.rpcs.failed, elapsedMs: result.elapsedMs, cpuUs: cpu.user + cpu.system, maxRssKb: process.resourceUsage().maxRSS, reportBytes: report.length }) + '\n',
);
