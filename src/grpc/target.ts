// Target parsing and address resolution for the diagnosis: what a grpc-js channel will
// resolve a target to, looked up the same way grpc-js looks it up.
import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';
import grpc from '@grpc/grpc-js';
import { alternativeResolverEnabled } from './alternative-resolver.js';

/** Resolver schemes grpc-js registers by default (grpc-node resolver.ts, `registerAll`). */
export type TargetScheme = 'dns' | 'ipv4' | 'ipv6' | 'unix' | 'unix-abstract' | 'xds';

/** A channel target broken into the parts the probe and the diagnosis need. */
export interface TargetInfo {
  /** The target exactly as given. */
  readonly target: string;
  /** The resolver that will handle it; unknown or missing schemes fall back to `dns`, as in grpc-js. */
  readonly scheme: TargetScheme;
  /** `dns://AUTHORITY/...`: the DNS server to ask (`IP:PORT` or `IP`), or null for the system resolver. */
  readonly dnsServer: string | null;
  /** `dns` targets: the name (or IP literal) to resolve, without port. */
  readonly host: string | null;
  /** `dns` targets: the port, 443 when absent (grpc-js resolver-dns.ts `DEFAULT_PORT`). */
  readonly port: number | null;
  /** True when the target names no port (for any address) and gRPC's 443 is used instead. */
  readonly portDefaulted: boolean;
  /**
   * Addresses known without a lookup, as `host:port`: the list of an `ipv4:`/`ipv6:` target,
   * or the single address of a `dns` target whose host is an IP literal. Null when a DNS
   * lookup is needed or the scheme has no IP addresses (`unix:`).
   */
  readonly staticAddresses: readonly string[] | null;
}

/** Thrown when a target cannot be understood; the message names the target. */
export class TargetError extends Error {}

const KNOWN_SCHEMES = new Set<string>(['dns', 'ipv4', 'ipv6', 'unix', 'unix-abstract', 'xds']);
/** grpc-node uri-parser.ts `URI_REGEX`: `scheme:` and `//authority/` are both optional. */
const URI_REGEX = /^(?:([A-Za-z0-9+.-]+):)?(?:\/\/([^/]*)\/)?(.+)$/;
/** The port of a target that names none (grpc-js resolver-dns.ts `DEFAULT_PORT`). */
export const DEFAULT_PORT = 443;

function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The port of an address, checked: 1..65535. @throws TargetError naming the address. */
function checkedPort(port: number | undefined, entry: string): number {
  if (port !== undefined && (port < 1 || port > 65535)) {
    throw new TargetError(`port ${port} in "${entry}" is outside 1..65535`);
  }
  return port ?? DEFAULT_PORT;
}

/**
 * Parses a gRPC target the way grpc-js does (grpc-node uri-parser.ts and
 * channel.ts `mapUriDefaultScheme`): a missing or unregistered scheme means `dns:` over the
 * whole string, so `10.0.0.1:50051` and `my-svc.ns:50051` are DNS targets. Stricter than
 * grpc-js where grpc-js would only fail at the first RPC (or ask DNS for a URL): URLs,
 * `scheme://` forms of schemes grpc-js lacks, ports outside 1..65535, empty hosts and names
 * are refused here.
 *
 * @throws TargetError saying what is wrong and what a target looks like.
 */
export function parseTarget(target: string): TargetInfo {
  if (target.trim() === '') {
    throw new TargetError('the target is empty');
  }
  if (/^https?:\/\//i.test(target)) {
    throw new TargetError(`"${target}" is a URL: a gRPC target is host:port or dns:///host:port; for TLS add --tls`);
  }
  const schemeWithSlashes = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(target);
  if (schemeWithSlashes !== null && !KNOWN_SCHEMES.has(schemeWithSlashes[1] as string)) {
    throw new TargetError(`unsupported scheme "${schemeWithSlashes[1]}:" in "${target}": grpc-js resolves dns:, ipv4:, ipv6:, unix:, unix-abstract:`);
  }
  if (/^dns:(\/\/[^/]*\/?)?$/.test(target)) {
    throw new TargetError(`"${target}" names no host: write dns:///host:port`);
  }
  let match = URI_REGEX.exec(target);
  if (match === null || match[1] === undefined || !KNOWN_SCHEMES.has(match[1])) {
    match = URI_REGEX.exec(`dns:${target}`);
  }
  const [, scheme, authority, path] = match as RegExpExecArray;
  if (scheme === 'unix' || scheme === 'unix-abstract' || scheme === 'xds') {
    return { target, scheme, dnsServer: null, host: null, port: null, portDefaulted: false, staticAddresses: null };
  }
  if (scheme === 'ipv4' || scheme === 'ipv6') {
    let portDefaulted = false;
    const addresses = path.split(',').map((entry) => {
      const hostPort = grpc.experimental.splitHostPort(entry);
      if (hostPort === null || isIP(hostPort.host) !== (scheme === 'ipv4' ? 4 : 6)) {
        throw new TargetError(`"${entry}" in target "${target}" is not an ${scheme} address`);
      }
      portDefaulted ||= hostPort.port === undefined;
      return formatHostPort(hostPort.host, checkedPort(hostPort.port, entry));
    });
    return { target, scheme, dnsServer: null, host: null, port: null, portDefaulted, staticAddresses: addresses };
  }
  const hostPort = grpc.experimental.splitHostPort(path);
  if (hostPort === null || hostPort.host === '' || /[\s/@]/.test(hostPort.host)) {
    throw new TargetError(`cannot read "${path}" in target "${target}" as host:port (port a number from 1 to 65535)`);
  }
  const port = checkedPort(hostPort.port, path);
  return {
    target,
    scheme: 'dns',
    dnsServer: authority === undefined || authority === '' ? null : authority,
    host: hostPort.host,
    port,
    portDefaulted: hostPort.port === undefined,
    staticAddresses: isIP(hostPort.host) === 0 ? null : [formatHostPort(hostPort.host, port)],
  };
}

/**
 * The addresses a channel to `info` would connect to, as `host:port`, looked up as grpc-js
 * looks them up (resolver-dns.ts `lookup`): with the alternative resolver on, A and AAAA
 * queries, through the target's DNS authority when it has one; otherwise `dns.lookup`.
 *
 * @param timeoutMs bound on the lookup; default 2000.
 * @returns the addresses, or null when they cannot be known (`unix:`, lookup failed).
 */
export async function resolveTargetAddresses(info: TargetInfo, timeoutMs = 2000): Promise<string[] | null> {
  let timer: NodeJS.Timeout | undefined;
  // dns.lookup (getaddrinfo) has no timeout of its own.
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    return await Promise.race([lookupAddresses(info, timeoutMs), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function lookupAddresses(info: TargetInfo, timeoutMs: number): Promise<string[] | null> {
  if (info.staticAddresses !== null) {
    return [...info.staticAddresses];
  }
  if (info.scheme !== 'dns' || info.host === null || info.port === null) {
    return null;
  }
  return lookupName(info, timeoutMs).then(
    (found) => [...found.addresses],
    () => null,
  );
}

/** One DNS answer for a target's name. */
export interface NameLookup {
  /** `ip:port` (`[ip6]:port`), sorted. */
  readonly addresses: readonly string[];
  /** The smallest record TTL, seconds; null when the lookup does not tell (the system resolver). */
  readonly ttlSeconds: number | null;
}

/**
 * Looks up a `dns` target's name as grpc-js does (resolver-dns.ts `lookup`): with the
 * alternative resolver on, A and AAAA queries (with TTLs) through the target's DNS authority
 * when it has one, else the system's servers; otherwise `dns.lookup` (getaddrinfo: no TTL, no
 * timeout of its own; the caller bounds it).
 *
 * A name with no address of one family is not an error; a name with none at all is an empty list.
 *
 * @param timeoutMs the DNS query timeout (one try) for the alternative resolver.
 * @param signal aborts an alternative-resolver query (`Resolver.cancel`).
 * @throws Error with the resolver's code (`ENOTFOUND`, `ETIMEOUT`, `ECONNREFUSED`, ...) when the lookup fails;
 *   TargetError when `info` has no name to look up.
 */
export async function lookupName(info: TargetInfo, timeoutMs: number, signal?: AbortSignal): Promise<NameLookup> {
  const { host, port } = info;
  if (info.scheme !== 'dns' || host === null || port === null) {
    throw new TargetError(`target "${info.target}" has no name to look up`);
  }
  if (!alternativeResolverEnabled()) {
    const found = await dnsPromises.lookup(host, { all: true });
    return { addresses: found.map((entry) => formatHostPort(entry.address, port)).sort(), ttlSeconds: null };
  }
  const resolver = new dnsPromises.Resolver({ timeout: timeoutMs, tries: 1 });
  if (info.dnsServer !== null) {
    resolver.setServers([info.dnsServer]);
  }
  const cancel = (): void => resolver.cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    const lookups = await Promise.allSettled([resolver.resolve4(host, { ttl: true }), resolver.resolve6(host, { ttl: true })]);
    // ENODATA: the name exists without records of that family.
    const failures = lookups.flatMap((lookup) =>
      lookup.status === 'rejected' && (lookup.reason as NodeJS.ErrnoException).code !== 'ENODATA' ? [lookup.reason as Error] : [],
    );
    if (failures.length === lookups.length) throw failures[0];
    const records = lookups.flatMap((lookup) => (lookup.status === 'fulfilled' ? lookup.value : []));
    return {
      addresses: records.map((record) => formatHostPort(record.address, port)).sort(),
      ttlSeconds: records.length === 0 ? null : Math.min(...records.map((record) => record.ttl)),
    };
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
