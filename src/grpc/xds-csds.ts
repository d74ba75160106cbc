// What the process's xDS clients were told, read the way an operator reads it from a proxyless
// client: a CSDS FetchClientStatus call (envoy.service.status.v3.ClientStatusDiscoveryService).
import grpc from '@grpc/grpc-js';
import type { XdsClientView, XdsClusterView, XdsEndpointView, XdsResourceView } from '../result/xds.js';
import { xdsService } from './xds-protos.js';

/** How long the CSDS read may take before the view is given up with an error, ms. */
export const CSDS_TIMEOUT_MS = 1000;

interface GenericXdsConfig {
  type_url: string;
  name: string;
  client_status: string;
  version_info: string;
  xds_config: Record<string, unknown> | null;
  last_updated: { seconds: string | number; nanos: number } | null;
  error_state: { details: string; version_info: string } | null;
}

const KINDS: Record<string, XdsResourceView['kind']> = {
  'envoy.config.listener.v3.Listener': 'listener',
  'envoy.config.route.v3.RouteConfiguration': 'route',
  'envoy.config.cluster.v3.Cluster': 'cluster',
  'envoy.config.endpoint.v3.ClusterLoadAssignment': 'endpoints',
};

/** A CSDS reader opened before it is needed: its server bound and its client connected beside the run. */
export interface CsdsReader {
  /** The view now. Never throws: a failed call gives an empty view with `error` set. */
  read(timeoutMs?: number): Promise<XdsClientView>;
  /** Stops the server and the client. */
  close(): void;
  /** {@link CsdsReader.read} into {@link CsdsReader.view}, then {@link CsdsReader.close}. */
  readAndClose(timeoutMs?: number): Promise<void>;
  /** The view {@link CsdsReader.readAndClose} read; null before. */
  readonly view: XdsClientView | null;
}

/**
 * Opens a reader of the xDS client view of this process, from CSDS. @grpc/grpc-js-xds keeps what
 * each XdsClient was told in module state that it does not export (packages/grpc-js-xds/src/csds.ts
 * `registeredClients`), and offers it only as the CSDS service it registers with grpc-js as an
 * admin service (`register()` calls `csds.setup()`). So the probe serves grpc-js's admin services
 * on a loopback port of its own, opened as the run starts (so that reading costs one call when the
 * run ends), and reads every client's resources: one per channel with a per-channel bootstrap,
 * one shared otherwise; a closed channel's client has cancelled its watches and lists nothing.
 * Resources that several clients hold are listed once, the most recently updated.
 */
export function openCsdsReader(): CsdsReader {
  const server = new grpc.Server();
  grpc.addAdminServicesToServer(server);
  let client: grpc.Client | null = null;
  let closed = false;
  const ready = new Promise<grpc.Client>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
      if (error !== null) return reject(error);
      if (closed) return reject(new Error('closed'));
      const Csds = xdsService('envoy.service.status.v3.ClientStatusDiscoveryService');
      client = new Csds(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      // Connected now, not when the run ends.
      client.waitForReady(Date.now() + 5000, () => undefined);
      resolve(client);
    }),
  );
  ready.catch(() => undefined);
  return {
    view: null,
    async readAndClose(timeoutMs = CSDS_TIMEOUT_MS) {
      (this as { view: XdsClientView | null }).view = await this.read(timeoutMs);
      this.close();
    },
    async read(timeoutMs = CSDS_TIMEOUT_MS) {
      try {
        const csds = await ready;
        const response = await new Promise<{ config: { generic_xds_configs: GenericXdsConfig[] }[] }>((resolve, reject) => {
          const fetch = (csds as unknown as Record<string, unknown>).FetchClientStatus as (
            request: object,
            options: grpc.CallOptions,
            callback: (error: grpc.ServiceError | null, value: never) => void,
          ) => void;
          fetch.call(csds, { node_matchers: [] }, { deadline: Date.now() + timeoutMs }, (error, value) => (error === null ? resolve(value) : reject(error)));
        });
        return viewOf(response.config.flatMap((config) => config.generic_xds_configs));
      } catch (error) {
        return { source: 'csds', resources: [], clusters: [], endpoints: [], error: `CSDS: ${(error as Error).message}` };
      }
    },
    close() {
      closed = true;
      (client as grpc.Client | null)?.close();
      server.forceShutdown();
    },
  };
}

/** The view now, from a reader opened and closed for this one read; see {@link openCsdsReader}. */
export async function fetchXdsClientView(timeoutMs = CSDS_TIMEOUT_MS): Promise<XdsClientView> {
  const reader = openCsdsReader();
  try {
    return await reader.read(timeoutMs);
  } finally {
    reader.close();
  }
}

/** The view of CSDS's generic configs (exported for tests). */
export function viewOf(configs: readonly GenericXdsConfig[]): XdsClientView {
  const latest = new Map<string, { config: GenericXdsConfig; resource: XdsResourceView }>();
  for (const config of configs) {
    const resource = resourceOf(config);
    const key = `${resource.kind}/${resource.name}`;
    const held = latest.get(key);
    if (held === undefined || (resource.lastUpdated ?? '') >= (held.resource.lastUpdated ?? '')) latest.set(key, { config, resource });
  }
  const held = [...latest.values()];
  const accepted = (kind: XdsResourceView['kind']): Record<string, unknown>[] =>
    held.filter(({ resource, config }) => resource.kind === kind && config.xds_config !== null && config.xds_config !== undefined).map(({ config }) => config.xds_config as Record<string, unknown>);
  return {
    source: 'csds',
    resources: held.map(({ resource }) => resource).sort((left, right) => KIND_ORDER.indexOf(left.kind) - KIND_ORDER.indexOf(right.kind) || left.name.localeCompare(right.name)),
    clusters: accepted('cluster').map(clusterOf),
    endpoints: accepted('endpoints').flatMap(endpointsOf),
    error: null,
  };
}

const KIND_ORDER: readonly XdsResourceView['kind'][] = ['listener', 'route', 'cluster', 'endpoints', 'other'];

function resourceOf(config: GenericXdsConfig): XdsResourceView {
  const typeName = config.type_url.slice(config.type_url.lastIndexOf('/') + 1);
  const error = config.error_state ?? null;
  const updated = config.last_updated ?? null;
  return {
    kind: KINDS[typeName] ?? 'other',
    name: config.name,
    status: config.client_status,
    version: config.version_info ?? '',
    lastUpdated: updated === null ? null : new Date(Number(updated.seconds) * 1000 + Math.floor((updated.nanos ?? 0) / 1e6)).toISOString(),
    nack: config.client_status === 'NACKED' && error !== null ? { version: error.version_info ?? '', details: error.details ?? '' } : null,
  };
}

function clusterOf(cluster: Record<string, unknown>): XdsClusterView {
  const name = String(cluster.name ?? '');
  const eds = cluster.eds_cluster_config as { service_name?: string } | null | undefined;
  const policies = (cluster.load_balancing_policy as { policies?: { typed_extension_config?: { typed_config?: { '@type'?: string } } }[] } | null | undefined)?.policies ?? [];
  const firstPolicy = policies[0]?.typed_extension_config?.typed_config?.['@type'];
  return {
    name,
    lbPolicy: firstPolicy === undefined ? String(cluster.lb_policy ?? 'ROUND_ROBIN') : firstPolicy.slice(firstPolicy.lastIndexOf('.') + 1),
    edsServiceName: eds?.service_name !== undefined && eds.service_name !== '' ? eds.service_name : name,
  };
}

interface LocalityEndpoints {
  locality?: { region?: string; zone?: string; sub_zone?: string } | null;
  load_balancing_weight?: { value?: number } | null;
  priority?: number;
  lb_endpoints?: {
    health_status?: string;
    load_balancing_weight?: { value?: number } | null;
    endpoint?: { address?: { socket_address?: { address?: string; port_value?: number } } };
  }[];
}

/** Usable under gRPC's xDS client: HEALTHY or UNKNOWN (gRFC A27: other health statuses are ignored). */
const USABLE_HEALTH = new Set(['HEALTHY', 'UNKNOWN']);

/** The endpoints of one ClusterLoadAssignment, each with its expected share (see {@link XdsEndpointView.expectedShare}). */
export function endpointsOf(assignment: Record<string, unknown>): XdsEndpointView[] {
  const cluster = String(assignment.cluster_name ?? '');
  const localities = (assignment.endpoints as LocalityEndpoints[] | undefined) ?? [];
  const rows = localities.flatMap((locality) => {
    const where = locality.locality ?? {};
    const localityWeight = locality.load_balancing_weight?.value ?? 1;
    return (locality.lb_endpoints ?? []).map((entry) => {
      const socket = entry.endpoint?.address?.socket_address ?? {};
      return {
        cluster,
        address: `${socket.address ?? '?'}:${socket.port_value ?? 0}`,
        locality: [where.region ?? '', where.zone ?? '', where.sub_zone ?? ''].join('/'),
        priority: locality.priority ?? 0,
        localityWeight,
        endpointWeight: entry.load_balancing_weight?.value ?? 1,
        health: entry.health_status ?? 'UNKNOWN',
      };
    });
  });
  const usable = rows.filter((row) => USABLE_HEALTH.has(row.health));
  const priority = usable.length === 0 ? 0 : Math.min(...usable.map((row) => row.priority));
  const inUse = usable.filter((row) => row.priority === priority);
  const localityWeights = new Map<string, number>();
  const localitySizes = new Map<string, number>();
  for (const row of inUse) {
    localityWeights.set(row.locality, row.localityWeight);
    localitySizes.set(row.locality, (localitySizes.get(row.locality) ?? 0) + 1);
  }
  const totalWeight = [...localityWeights.values()].reduce((sum, weight) => sum + weight, 0);
  return rows.map((row) => {
    const used = USABLE_HEALTH.has(row.health) && row.priority === priority && totalWeight > 0;
    return { ...row, expectedShare: used ? row.localityWeight / totalWeight / (localitySizes.get(row.locality) as number) : 0 };
  });
}
