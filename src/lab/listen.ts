// One way to start a TCP listener and learn whether it bound, shared by the VIP and the proxy.
import type { AddressInfo, Server } from 'node:net';

/**
 * Listens on `host:port` and resolves once bound.
 * @throws Error (the listener's, e.g. EADDRINUSE / EADDRNOTAVAIL) when it cannot bind.
 */
export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** `host:port` a listening server is bound to. */
export function boundAddress(server: Server): string {
  const bound = server.address() as AddressInfo;
  return `${bound.address}:${bound.port}`;
}
