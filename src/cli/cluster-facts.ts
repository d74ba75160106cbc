// Gathers the in-cluster hints' facts for `run`: the environment (KUBERNETES_SERVICE_HOST) and
// /etc/resolv.conf. The diagnosis words the notes; this only reads.
import { isIP } from 'node:net';
import type { ClusterFacts } from '../analysis/cluster-hints.js';
import { alternativeResolverEnabled } from '../grpc/alternative-resolver.js';
import { readResolvConf, RESOLV_CONF_PATH } from '../grpc/resolv-conf.js';
import type { TargetInfo } from '../grpc/target.js';

/** Environment variable naming another resolv.conf (tests; a pod's is /etc/resolv.conf). */
export const RESOLV_CONF_ENV = 'GRPCLB_PROBE_RESOLV_CONF';

/** The facts for `info`, with `resolvedAddresses` from the target lookup. */
export function gatherClusterFacts(info: TargetInfo, resolvedAddresses: readonly string[] | null, env: NodeJS.ProcessEnv = process.env): ClusterFacts {
  return {
    inKubernetes: (env.KUBERNETES_SERVICE_HOST ?? '') !== '',
    host: info.scheme === 'dns' ? info.host : null,
    hostIsIp: info.host !== null && isIP(info.host) !== 0,
    systemResolver: !alternativeResolverEnabled() && info.dnsServer === null,
    resolvConf: readResolvConf(env[RESOLV_CONF_ENV] ?? RESOLV_CONF_PATH),
    resolvedAddresses: resolvedAddresses === null ? null : resolvedAddresses.length,
  };
}
