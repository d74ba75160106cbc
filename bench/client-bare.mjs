// Client A: a bare grpc-js loop, one channel, C RPCs in flight, no recording at all.
// Arguments: target calls concurrency [echo]: with `echo`, Echo/Say through proto-loader's
// codecs (the baseline of the dynamic-message row) instead of SayHello.
// Prints one JSON line: {rpcs, failed, elapsedMs, cpuUs, maxRssKb}.
import grpc from '@grpc/grpc-js';
import { sayHello } from '../dist/grpc/proto.js';
import { ECHO_REQUEST, echoSay } from './echo.mjs';

const [target, callsText, concurrencyText, kind] = process.argv.slice(2);
const calls = Number(callsText);
const concurrency = Number(concurrencyText);
const method = kind === 'echo' ? echoSay : sayHello;
const request = kind === 'echo' ? ECHO_REQUEST : { name: 'grpclb-probe' };
const client = new grpc.Client(target, grpc.credentials.createInsecure());
const metadata = new grpc.Metadata();
let issued = 0;
let done = 0;
let failed = 0;
let active = concurrency;
const cpuStart = process.cpuUsage();
const start = performance.now();
await new Promise((resolve) => {
  const next = () => {
    if (issued >= calls) {
      active -= 1;
      if (active === 0) resolve();
      return;
    }
    issued += 1;
    client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata, { deadline: Date.now() + 5000 }, (error) => {
      done += 1;
      if (error) failed += 1;
      next();
    });
  };
  for (let worker = 0; worker < concurrency; worker += 1) next();
});
const elapsedMs = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
client.close();
process.stdout.write(JSON.stringify({ rpcs: done, failed, elapsedMs, cpuUs: cpu.user + cpu.system, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
