// The HTTP endpoint of `run --forever --metrics-port P`: Prometheus text at /metrics, nothing
// else. Listening fails before the run starts, as a usage error naming the flag.
import { createServer, type Server } from 'node:http';
import { UsageError } from './errors.js';

/** What the endpoint serves on each scrape. */
export interface Exposition {
  text(): Promise<string>;
  readonly contentType: string;
}

/** A listening metrics endpoint. */
export interface MetricsServer {
  /** `http://HOST:PORT/metrics`, with the port the system gave for `--metrics-port 0`. */
  readonly url: string;
  close(): Promise<void>;
}

/** The usage error of a failed listen, naming the flag at fault. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): UsageError {
  if (error.code === 'EADDRINUSE') return new UsageError(`--metrics-port ${port}: ${host}:${port} is in use; pick another port`);
  if (error.code === 'EACCES') return new UsageError(`--metrics-port ${port}: not allowed to listen on ${host}:${port} (ports under 1024 need privileges)`);
  return new UsageError(`--metrics-host ${host}: cannot listen on ${host}:${port}: ${error.code ?? error.message}`);
}

/**
 * Listens on `host:port` and answers `GET /metrics` with `exposition` (404 elsewhere, 405 for
 * other methods). @throws UsageError when it cannot listen (in use, no such address, no right).
 */
export async function serveMetrics(host: string, port: number, exposition: Exposition): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
    } else if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('GET /metrics\n');
    } else {
      exposition.text().then(
        (text) => response.writeHead(200, { 'content-type': exposition.contentType }).end(request.method === 'HEAD' ? undefined : text),
        (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, host, port)));
    server.listen({ host, port }, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
