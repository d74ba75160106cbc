// The in-cluster hints: what the target's name costs to resolve inside a pod (ndots and the
// search list) and what kind of Service it looks like. Pure; the facts are gathered by the CLI.

/** Where the probe ran and how its system resolver treats the target's name: the in-cluster hints. */
export interface ClusterFacts {
  /** `KUBERNETES_SERVICE_HOST` is set: the probe runs in a pod. */
  readonly inKubernetes: boolean;
  /** The target's host (a DNS name or an IP literal); null for address lists and unix sockets. */
  readonly host: string | null;
  readonly hostIsIp: boolean;
  /**
   * grpc-js resolves with `dns.lookup` (getaddrinfo), which applies the search list; its
   * alternative resolver (`dns://` authorities) asks for the name as given.
   */
  readonly systemResolver: boolean;
  /** From /etc/resolv.conf; null when it could not be read. */
  readonly resolvConf: { readonly search: readonly string[]; readonly ndots: number } | null;
  /** Addresses the name resolved to; null when unknown. */
  readonly resolvedAddresses: number | null;
}

/** The fully qualified form of a short name, guessed from the search list the way Kubernetes lays it out. */
function qualified(host: string, search: readonly string[]): string {
  const dots = host.split('.').length - 1;
  const domain = dots === 0 ? search[0] : dots === 1 ? search.find((entry) => entry.startsWith('svc.')) : undefined;
  return domain === undefined ? `${host}.` : `${host}.${domain}.`;
}

/**
 * Notes about the target's name and the cluster: extra DNS queries from `ndots` and the search
 * list (resolv.conf(5); Kubernetes pods get `ndots:5` and three search domains, Kubernetes docs
 * "DNS for Services and Pods"), and what kind of Service the name looks like (one A record: a
 * ClusterIP Service's virtual IP; several: a headless Service's pod IPs).
 */
export function clusterNotes(facts: ClusterFacts): string[] {
  const notes: string[] = [];
  const { host, resolvConf } = facts;
  if (host !== null && !facts.hostIsIp && facts.systemResolver && resolvConf !== null && !host.endsWith('.')) {
    const dots = host.split('.').length - 1;
    const domains = resolvConf.search.length;
    if (dots < resolvConf.ndots && domains > 0) {
      notes.push(
        `"${host}" has ${dots} dot${dots === 1 ? '' : 's'}, fewer than ndots:${resolvConf.ndots}: each resolution first tries ` +
          `${domains} search domain${domains === 1 ? '' : 's'} (up to ${domains * 2} extra A/AAAA queries); ` +
          `a fully qualified name with a trailing dot skips them: ${qualified(host, resolvConf.search)}`,
      );
    }
  }
  if (facts.inKubernetes && host !== null) {
    if (facts.hostIsIp) {
      notes.push('in Kubernetes, the target is an IP address: a pod IP sends every RPC to that one pod, a Service\u2019s ClusterIP to one pod per connection; use the Service\u2019s name');
    } else if (facts.resolvedAddresses === 1) {
      notes.push(`in Kubernetes, ${host} resolves to one address: a ClusterIP Service (a virtual IP; kube-proxy picks a pod per connection, not per RPC)`);
    } else if (facts.resolvedAddresses !== null && facts.resolvedAddresses > 1) {
      notes.push(`in Kubernetes, ${host} resolves to ${facts.resolvedAddresses} addresses: a headless Service (one A record per ready pod)`);
    }
  }
  return notes;
}
