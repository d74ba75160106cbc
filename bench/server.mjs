// The benchmark's Greeter server: one process, replies as fast as it can, prints its port.
import { GreeterServer } from '../dist/server/greeter.js';

const server = new GreeterServer({ host: '127.0.0.1', port: 0, hostname: 'bench-server' });
await server.start();
process.stdout.write(`${server.port}\n`);
process.on('SIGTERM', () => {
  server.kill();
  process.exit(0);
});
