// Which Kubernetes Service a target's host names, read from the cluster DNS schema: the probe's
// RBAC rules and the EndpointSlice lookup both need the Service's namespace and name.
import { dns1123LabelProblem } from './names.js';

/** A Service by namespace and name. */
export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * The Service a host names under the Kubernetes DNS schema (Kubernetes docs, "DNS for Services
 * and Pods"): `svc.ns.svc.<cluster domain>` (any cluster domain), `svc.ns.svc`, `svc.ns`, or a
 * bare `svc` in `podNamespace` (the search list of a pod's resolv.conf). A trailing dot is
 * allowed. Host names that are IP literals, or whose labels are not DNS-1123 labels, name none.
 * @param podNamespace the namespace a bare name resolves in, or null when unknown.
 * @returns the Service, or null when the host names none.
 */
export function serviceOfHost(host: string, podNamespace: string | null): ServiceRef | null {
  const labels = host.replace(/\.$/, '').split('.');
  if (labels.some((label) => dns1123LabelProblem(label) !== null)) return null;
  const [name, namespace, kind] = labels as [string, string | undefined, string | undefined];
  if (labels.length >= 3) return kind === 'svc' && namespace !== undefined ? { namespace, name } : null;
  if (namespace !== undefined) return { namespace, name };
  // A single label that is all digits is not a name: `10` would be an IP in some resolvers.
  return podNamespace !== null && !/^\d+$/.test(name) ? { namespace: podNamespace, name } : null;
}
