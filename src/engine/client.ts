// Who ran the probe: the client's hostname (the pod name in Kubernetes) and its addresses,
// so results merged from many probe pods can say which client pod reached which backend.
import os from 'node:os';
import type { ClientInfo } from '../result/run-result.js';

/** This machine's hostname and non-loopback IP addresses (`os.networkInterfaces()`), sorted. */
export function currentClient(): ClientInfo {
  const addresses = Object.values(os.networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => !entry.internal)
    .map((entry) => entry.address);
  return { hostname: os.hostname(), addresses: [...new Set(addresses)].sort() };
}
