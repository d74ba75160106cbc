// Client C: what `grpclb-probe run -t T --proto fixtures/echo.proto -i fixtures/include
// --call grpclbprobe.echo.Echo/Say -d '{...}' --backend-from field:pod -n N -c C -o json -q`
// does, in-process: the method and its types loaded from the .proto by protobufjs, the request
// checked and encoded once, the backend read from the reply's `pod` field, all recording on,
// then the analysis and the JSON report. Prints the same JSON line as client A.
import { analyze } from '../dist/analysis/analyze.js';
import { startProbe } from '../dist/engine/probe.js';
import { encodeRequest, resolveMethod } from '../dist/grpc/method.js';
import { renderJson } from '../dist/report/json.js';
import { ECHO_CALL, ECHO_INCLUDE, ECHO_PROTO, ECHO_REQUEST } from './echo.mjs';

const [target, callsText, concurrencyText] = process.argv.slice(2);
const cpuStart = process.cpuUsage();
const method = await resolveMethod(ECHO_CALL, { protoFiles: [ECHO_PROTO], importPaths: [ECHO_INCLUDE] });
const call = { method, request: encodeRequest(method, JSON.stringify(ECHO_REQUEST)) };
const run = startProbe({
  target,
  lbPolicy: null,
  calls: Number(callsText),
  durationMs: null,
  concurrency: Number(concurrencyText),
  deadlineMs: 5000,
  call,
  backendFrom: { kind: 'field', path: 'pod' },
});
const result = await run.done;
const report = renderJson(analyze(result, { expectedBackends: null, resolvedAddresses: [target], topology: null }));
const cpu = process.cpuUsage(cpuStart);
if (result.backends.length !== 1 || result.backends[0].name !== 'bench-echo') throw new Error(`backend not read from the pod field: ${result.backends.map((b) => b.name)}`);
process.stdout.write(
  JSON.stringify({ rpcs: result.rpcs.total, failed: result.rpcs.failed, elapsedMs: result.elapsedMs, cpuUs: cpu.user + cpu.system, maxRssKb: process.resourceUsage().maxRSS, reportBytes: report.length }) + '\n',
);
