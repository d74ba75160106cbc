// The whole-process baseline: a bare grpc-js loop (SayHello, one channel) warmed up for
// WARMUP ms, then measured for DURATION ms, closed loop, as `run --warmup 1s -z 3s` does.
// Arguments: target concurrency warmupMs durationMs. Prints {rpcs, failed, elapsedMs}.
import grpc from '@grpc/grpc-js';
import { sayHello } from '../dist/grpc/proto.js';

const [target, concurrencyText, warmupText, durationText] = process.argv.slice(2);
const client = new grpc.Client(target, grpc.credentials.createInsecure());
const metadata = new grpc.Metadata();
const request = { name: 'grpclb-probe' };
const warmupUntil = performance.now() + Number(warmupText);
let measureStart = -1;
let stopAt = Infinity;
let rpcs = 0;
let failed = 0;
let lastFinish = 0;
let active = Number(concurrencyText);
await new Promise((resolve) => {
  const next = () => {
    const now = performance.now();
    if (now >= stopAt) {
      active -= 1;
      if (active === 0) resolve();
      return;
    }
    let measured = false;
    if (now >= warmupUntil) {
      if (measureStart < 0) {
        measureStart = now;
        stopAt = now + Number(durationText);
      }
      measured = true;
    }
    client.makeUnaryRequest(sayHello.path, sayHello.requestSerialize, sayHello.responseDeserialize, request, metadata, { deadline: Date.now() + 5000 }, (error) => {
      if (measured) {
        rpcs += 1;
        if (error) failed += 1;
        lastFinish = performance.now();
      }
      next();
    });
  };
  for (let worker = 0; worker < active; worker += 1) next();
});
client.close();
process.stdout.write(JSON.stringify({ rpcs, failed, elapsedMs: lastFinish - measureStart }) + '\n');
