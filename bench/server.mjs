// The benchmark's servers, in one process: the Greeter (replies as fast as it can) and the
// custom Echo service of fixtures/echo.proto (reply names its pod). Prints both ports.
import grpc from '@grpc/grpc-js';
import { GreeterServer } from '../dist/server/greeter.js';
import { echoService } from './echo.mjs';

const server = new GreeterServer({ host: '127.0.0.1', port: 0, hostname: 'bench-server' });
await server.start();
const echo = new grpc.Server();
echo.addService(echoService, {
  Say: (call, callback) => callback(null, { text: call.request.text, pod: 'bench-echo', meta: { zone: 'z', pod_name: 'bench-echo' } }),
  Watch: (call) => call.end(),
});
const echoPort = await new Promise((resolve, reject) =>
  echo.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
);
process.stdout.write(`${server.port} ${echoPort}\n`);
process.on('SIGTERM', () => {
  server.kill();
  echo.forceShutdown();
  process.exit(0);
});
