// A small ADS control plane for the lab: state of the world LDS, RDS, CDS and EDS over
// envoy.service.discovery.v3.AggregatedDiscoveryService, serving the lab's pods as EDS
// endpoints (one locality per pod, its weight the locality weight) and pushing every change.
// The shape follows grpc-node packages/grpc-js-xds/test/xds-server.ts; the protos are the ones
// @grpc/grpc-js-xds ships (deps/envoy-api, xds, googleapis, protoc-gen-validate).
import grpc from '@grpc/grpc-js';
import { xdsService } from '../grpc/xds-protos.js';

/** Type URLs of the four resource types (Envoy xDS v3). */
export const TYPE_URLS = {
  lds: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  rds: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cds: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  eds: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
} as const;
type Kind = keyof typeof TYPE_URLS;
const HCM_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

/** One endpoint the control plane serves: a pod's `IP:port` and its weight. */
export interface XdsEndpoint {
  readonly address: string;
  readonly weight: number;
}

/** One EDS push: the version sent, and the endpoints it added and removed since the last one. */
export interface XdsPush {
  /** The new ClusterLoadAssignment version (`version_info`). */
  readonly version: string;
  /** `IP:port` of endpoints in this version and not the last. */
  readonly added: readonly string[];
  /** `IP:port` of endpoints in the last version and not this one. */
  readonly removed: readonly string[];
}

/** What a client acknowledged or refused, per resource type. */
export interface XdsAckState {
  readonly typeUrl: string;
  /** The version last sent. */
  readonly sentVersion: string;
  /** The version the client last ACKed ('' before any). */
  readonly ackedVersion: string;
  /** The last NACK's error detail, or null. */
  readonly nack: string | null;
}

interface DiscoveryRequest {
  version_info: string;
  resource_names: string[];
  type_url: string;
  response_nonce: string;
  error_detail: { message: string } | null;
}

function kindOf(typeUrl: string): Kind | null {
  for (const [kind, url] of Object.entries(TYPE_URLS)) if (url === typeUrl) return kind as Kind;
  return null;
}

/** The ADS service definition, from the protos @grpc/grpc-js-xds ships (src/grpc/xds-protos.ts). */
function loadAds(): grpc.ServiceDefinition {
  return xdsService('envoy.service.discovery.v3.AggregatedDiscoveryService').service;
}

/** One client stream: what it subscribed to, and its ACK state per type. */
interface Subscriber {
  readonly call: grpc.ServerDuplexStream<DiscoveryRequest, unknown>;
  readonly names: Map<Kind, string[]>;
  readonly acks: Map<Kind, { sent: string; nonce: string; acked: string; nack: string | null }>;
}

/**
 * The control plane for one service name (`xds:///NAME`): Listener NAME -> RouteConfiguration
 * NAME-route -> Cluster NAME-cluster (EDS, ROUND_ROBIN) -> ClusterLoadAssignment NAME-endpoints,
 * one locality per endpoint with the endpoint's weight as the locality weight (grpc-js-xds
 * balances localities by weight, weighted round robin, and round robin within each).
 */
export class XdsControlPlane {
  private readonly server = new grpc.Server();
  private readonly subscribers = new Set<Subscriber>();
  private readonly versions: Record<Kind, number> = { lds: 1, rds: 1, cds: 1, eds: 1 };
  private nonce = 0;
  private lastEndpoints = '';
  private readonly pushListeners = new Set<(push: XdsPush) => void>();
  private badCluster = false;
  port = 0;

  /**
   * @param name the service name clients ask for (`xds:///NAME`).
   * @param endpoints the endpoints now, read at each push.
   */
  constructor(
    readonly name: string,
    private readonly endpoints: () => readonly XdsEndpoint[],
  ) {
    this.server.addService(loadAds(), { StreamAggregatedResources: (call: Subscriber['call']) => this.stream(call) });
  }

  /** Listens on `host:0`. @throws Error when it cannot bind. */
  async start(host: string): Promise<void> {
    this.port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(`${host}:0`, grpc.ServerCredentials.createInsecure(), (error, port) => (error === null ? resolve(port) : reject(error)));
    });
    this.host = host;
    this.lastEndpoints = JSON.stringify(this.endpoints());
  }

  private host = '127.0.0.1';

  /** `host:port` of the ADS server. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** A bootstrap for clients of this control plane (gRFC A27), as JSON text. */
  bootstrap(): string {
    return JSON.stringify({
      xds_servers: [{ server_uri: this.address, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
      node: { id: 'grpclb-probe', locality: {} },
    });
  }

  /** Pushes the endpoints to every subscriber when they changed since the last push (a new EDS version). */
  endpointsChanged(): void {
    const now = JSON.stringify(this.endpoints());
    if (now === this.lastEndpoints) return;
    const before = new Set((JSON.parse(this.lastEndpoints || '[]') as XdsEndpoint[]).map((endpoint) => endpoint.address));
    const after = new Set(this.endpoints().map((endpoint) => endpoint.address));
    this.lastEndpoints = now;
    this.versions.eds += 1;
    for (const subscriber of this.subscribers) if (subscriber.names.has('eds')) this.send(subscriber, 'eds');
    const push = { version: String(this.versions.eds), added: [...after].filter((address) => !before.has(address)), removed: [...before].filter((address) => !after.has(address)) };
    for (const listener of this.pushListeners) listener(push);
  }

  /**
   * Calls `listener` after each EDS push ({@link endpointsChanged}), as it is sent to every
   * subscriber; a weight change alone is a push with nothing added or removed.
   * @returns a function that stops the calls.
   */
  onPush(listener: (push: XdsPush) => void): () => void {
    this.pushListeners.add(listener);
    return () => this.pushListeners.delete(listener);
  }

  /**
   * From now on the Cluster is one gRPC's xDS client must refuse (`lb_policy: MAGLEV`, which it
   * does not support: grpc-js-xds cluster-resource-type.ts), pushed at once as a new CDS version:
   * the client NACKs it and keeps the version it had, or, having none, never gets a cluster.
   * For tests of how a NACK is reported.
   */
  sendBadCluster(): void {
    this.badCluster = true;
    this.versions.cds += 1;
    for (const subscriber of this.subscribers) if (subscriber.names.has('cds')) this.send(subscriber, 'cds');
  }

  /** Per client stream and type: the version sent, the one ACKed and the last NACK. */
  ackStates(): XdsAckState[][] {
    return [...this.subscribers].map((subscriber) =>
      [...subscriber.acks.entries()].map(([kind, state]) => ({ typeUrl: TYPE_URLS[kind], sentVersion: state.sent, ackedVersion: state.acked, nack: state.nack })),
    );
  }

  /** Stops at once. */
  close(): void {
    this.server.forceShutdown();
    this.subscribers.clear();
  }

  private stream(call: Subscriber['call']): void {
    const subscriber: Subscriber = { call, names: new Map(), acks: new Map() };
    this.subscribers.add(subscriber);
    call.on('data', (request: DiscoveryRequest) => this.request(subscriber, request));
    call.on('error', () => this.subscribers.delete(subscriber));
    call.on('end', () => {
      this.subscribers.delete(subscriber);
      call.end();
    });
  }

  /** State of the world: an ACK (or NACK) of the last nonce, a (re)subscription, or both. */
  private request(subscriber: Subscriber, request: DiscoveryRequest): void {
    const kind = kindOf(request.type_url);
    if (kind === null) return;
    const ack = subscriber.acks.get(kind);
    if (ack !== undefined && request.response_nonce === ack.nonce) {
      if (request.error_detail !== null && request.error_detail !== undefined) ack.nack = request.error_detail.message;
      else ack.acked = request.version_info;
    }
    const before = subscriber.names.get(kind)?.join(',');
    subscriber.names.set(kind, [...request.resource_names]);
    const nacked = ack !== undefined && request.response_nonce === ack.nonce && request.error_detail !== null && request.error_detail !== undefined;
    // A NACK is not answered with the version it refused: the next change sends a new one.
    if (before !== request.resource_names.join(',') || (!nacked && request.version_info !== String(this.versions[kind]))) this.send(subscriber, kind);
  }

  private send(subscriber: Subscriber, kind: Kind): void {
    const version = String(this.versions[kind]);
    const nonce = String((this.nonce += 1));
    const wanted = new Set(subscriber.names.get(kind) ?? []);
    const resources = this.resources(kind).filter((resource) => wanted.has(resource.name) || kind === 'lds' || kind === 'cds');
    subscriber.acks.set(kind, { sent: version, nonce, acked: subscriber.acks.get(kind)?.acked ?? '', nack: subscriber.acks.get(kind)?.nack ?? null });
    subscriber.call.write({ version_info: version, nonce, type_url: TYPE_URLS[kind], resources: resources.map((resource) => resource.body) });
  }

  private resources(kind: Kind): { name: string; body: Record<string, unknown> }[] {
    const name = this.name;
    switch (kind) {
      case 'lds':
        return [
          {
            name,
            body: {
              '@type': TYPE_URLS.lds,
              name,
              api_listener: {
                api_listener: {
                  '@type': HCM_TYPE_URL,
                  rds: { route_config_name: `${name}-route`, config_source: { ads: {} } },
                  http_filters: [{ name: 'router', typed_config: { '@type': ROUTER_TYPE_URL } }],
                },
              },
            },
          },
        ];
      case 'rds':
        return [
          {
            name: `${name}-route`,
            body: {
              '@type': TYPE_URLS.rds,
              name: `${name}-route`,
              virtual_hosts: [{ domains: ['*'], routes: [{ match: { prefix: '' }, route: { cluster: `${name}-cluster` } }] }],
            },
          },
        ];
      case 'cds':
        return [
          {
            name: `${name}-cluster`,
            body: {
              '@type': TYPE_URLS.cds,
              name: `${name}-cluster`,
              type: 'EDS',
              eds_cluster_config: { eds_config: { ads: {} }, service_name: `${name}-endpoints` },
              lb_policy: this.badCluster ? 'MAGLEV' : 'ROUND_ROBIN',
            },
          },
        ];
      case 'eds':
        return [{ name: `${name}-endpoints`, body: { '@type': TYPE_URLS.eds, cluster_name: `${name}-endpoints`, endpoints: this.localities() } }];
    }
  }

  /** One locality per endpoint, weighted. */
  private localities(): Record<string, unknown>[] {
    return this.endpoints().map((endpoint, index) => {
      const colon = endpoint.address.lastIndexOf(':');
      return {
        locality: { region: 'lab', zone: `zone-${index + 1}`, sub_zone: '' },
        load_balancing_weight: { value: endpoint.weight },
        priority: 0,
        lb_endpoints: [
          {
            health_status: 'HEALTHY',
            endpoint: { address: { socket_address: { address: endpoint.address.slice(0, colon), port_value: Number(endpoint.address.slice(colon + 1)) } } },
          },
        ],
      };
    });
  }
}
