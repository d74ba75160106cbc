// Client A of the bidi row: a bare grpc-js loop, one channel, S SayHelloBidiStream streams, each
// sending its next message as soon as the reply came (interval 0), N messages over all streams.
// Arguments: target messages streams. Prints one JSON line: {rpcs (messages), failed, elapsedMs, cpuUs, maxRssKb}.
import grpc from '@grpc/grpc-js';
import { greeterService } from '../dist/grpc/proto.js';

const [target, messagesText, streamsText] = process.argv.slice(2);
const messages = Number(messagesText);
const streams = Number(streamsText);
const method = greeterService.Greeter.service.SayHelloBidiStream;
const client = new grpc.Client(target, grpc.credentials.createInsecure());
let sent = 0;
let received = 0;
let failed = 0;
const cpuStart = process.cpuUsage();
const start = performance.now();
await Promise.all(
  Array.from({ length: streams }, () => new Promise((resolve) => {
    const call = client.makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, new grpc.Metadata(), {});
    call.on('data', () => {
      received += 1;
      if (sent >= messages) {
        call.cancel();
        return;
      }
      sent += 1;
      call.write({ name: 'grpclb-probe' });
    });
    call.on('error', (error) => {
      if (error.code !== grpc.status.CANCELLED) failed += 1;
    });
    call.on('status', () => resolve());
    sent += 1;
    call.write({ name: 'grpclb-probe' });
  })),
);
const elapsedMs = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
client.close();
process.stdout.write(JSON.stringify({ rpcs: received, failed, elapsedMs, cpuUs: cpu.user + cpu.system, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
