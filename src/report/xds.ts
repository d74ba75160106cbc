// What an xDS client was told (the run's CSDS view), for people: a short block under the table,
// and the xDS part of exit 3's line. Strings in, strings out; the caller sanitizes.
import type { XdsClientView, XdsResourceView } from '../result/xds.js';
import { formatPercent } from '../result/units.js';

/** The resource type's name as Envoy spells it. */
const TYPE_NAMES: Record<XdsResourceView['kind'], string> = {
  listener: 'Listener',
  route: 'RouteConfiguration',
  cluster: 'Cluster',
  endpoints: 'ClusterLoadAssignment',
  other: 'resource',
};

/** `NACKED v2 refused: details` or `ACKED v3`. */
function statusText(resource: XdsResourceView): string {
  const version = resource.version === '' ? '' : ` v${resource.version}`;
  if (resource.nack === null) return `${resource.status}${version}`;
  return `${resource.status}${version === '' ? '' : ` (kept${version})`}: v${resource.nack.version} refused: ${resource.nack.details}`;
}

/**
 * The block: one line per resource (kind, name, status, version; a NACK with its reason), the
 * clusters' policies, and each endpoint with its locality, weights, health and expected share.
 * Empty for a view that lists nothing and has no error.
 */
export function xdsLines(view: XdsClientView | null | undefined): string[] {
  if (view === null || view === undefined) return [];
  if (view.error !== null) return [`xDS: what the client was told is unknown (${view.error})`];
  if (view.resources.length === 0) return [];
  const lines = ['xDS, what the client was told (CSDS):'];
  const width = Math.max(...view.resources.map((resource) => resource.name.length));
  for (const resource of view.resources) {
    const cluster = resource.kind === 'cluster' ? view.clusters.find((entry) => entry.name === resource.name) : undefined;
    const extra = cluster === undefined ? '' : `  ${cluster.lbPolicy} over ${cluster.edsServiceName}`;
    lines.push(`  ${resource.kind.padEnd(9)} ${resource.name.padEnd(width)}  ${statusText(resource)}${extra}`);
  }
  for (const endpoint of view.endpoints) {
    const weight = endpoint.endpointWeight === 1 ? `locality weight ${endpoint.localityWeight}` : `locality weight ${endpoint.localityWeight}, endpoint weight ${endpoint.endpointWeight}`;
    const priority = endpoint.priority === 0 ? '' : `  priority ${endpoint.priority}`;
    lines.push(`    ${endpoint.address}  ${endpoint.locality}  ${weight}${priority}  ${endpoint.health}  expected ${formatPercent(endpoint.expectedShare)}`);
  }
  return lines;
}

/**
 * Why an `xds:` channel never became ready, for exit 3's line: a NACKed resource (its type,
 * name, version and the client's reason), resources the control plane says do not exist, a
 * control plane that sent nothing, or endpoints that never connected.
 * @param serverUri the bootstrap's first `server_uri`, the control plane the client talks to.
 */
export function xdsUnreadyNote(view: XdsClientView | null, serverUri: string): string {
  const resources = view?.resources ?? [];
  const nacked = resources.filter((resource) => resource.nack !== null);
  if (nacked.length > 0) {
    const refused = nacked.map((resource) => `${TYPE_NAMES[resource.kind]} ${resource.name} version ${resource.nack?.version} (${resource.nack?.details})`).join('; ');
    return `xDS: the client NACKed what the control plane ${serverUri} sent: ${refused}`;
  }
  const missing = resources.filter((resource) => resource.status === 'DOES_NOT_EXIST');
  if (missing.length > 0) {
    return `xDS: the control plane ${serverUri} does not have ${missing.map((resource) => `${TYPE_NAMES[resource.kind]} ${resource.name}`).join(', ')}`;
  }
  if (!resources.some((resource) => resource.status === 'ACKED')) {
    return `xDS: no resource came from the control plane ${serverUri} (the bootstrap's xds_servers): it is unreachable or does not answer`;
  }
  const endpoints = view?.endpoints.filter((endpoint) => endpoint.expectedShare > 0).length ?? 0;
  return endpoints === 0
    ? `xDS: the control plane ${serverUri} sent no usable endpoint`
    : `xDS: the control plane ${serverUri} sent ${endpoints} endpoint${endpoints === 1 ? '' : 's'}, and none became ready`;
}
