// Decides whether grpc-js's alternative (c-ares) DNS resolver must be on, before grpc-js loads.
// This file must not import @grpc/grpc-js.
//
// grpc-js reads GRPC_NODE_USE_ALTERNATIVE_RESOLVER once, when its `environment.js` is first
// evaluated (grpc-node packages/grpc-js/src/environment.ts). Off (the default), the `dns`
// resolver calls `dns.lookup` (getaddrinfo: /etc/hosts, resolv.conf search domains) and
// ignores a target's DNS authority; on, it asks `dns.promises.Resolver` A/AAAA/TXT queries,
// through the authority when there is one (resolver-dns.ts `lookup`), but without search
// domains. So it is switched on only when a target names a DNS server, or for the lab.

/** The environment variable grpc-js reads. */
export const ALTERNATIVE_RESOLVER_ENV = 'GRPC_NODE_USE_ALTERNATIVE_RESOLVER';

/** True when `target` is `dns://AUTHORITY/...` with a non-empty authority. */
export function targetHasDnsAuthority(target: string): boolean {
  return /^dns:\/\/[^/]+\//.test(target);
}

/**
 * Whether a command line needs the alternative resolver: when it has no `--target` (the lab
 * serves its headless Service from its own DNS server) or a `--target` with a DNS authority.
 * `serve` is unaffected either way.
 *
 * @param argv process.argv without the node and script entries.
 */
export function argvNeedsAlternativeResolver(argv: readonly string[]): boolean {
  const targets: string[] = [];
  argv.forEach((arg, index) => {
    if (arg === '--target' || arg === '-t') {
      targets.push(argv[index + 1] ?? '');
    } else if (arg.startsWith('--target=')) {
      targets.push(arg.slice('--target='.length));
    }
  });
  return targets.length === 0 || targets.some(targetHasDnsAuthority);
}

/** Sets the variable to `true` unless the user set it; call before grpc-js is first imported. */
export function enableAlternativeResolver(): void {
  process.env[ALTERNATIVE_RESOLVER_ENV] ??= 'true';
}

/** Whether grpc-js in this process uses the alternative resolver (as read at its load). */
export function alternativeResolverEnabled(): boolean {
  return process.env[ALTERNATIVE_RESOLVER_ENV] === 'true';
}
