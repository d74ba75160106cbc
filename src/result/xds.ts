// What an xDS client was told, as CSDS (envoy.service.status.v3) reports it: the resources with
// their status and versions, the clusters, and the endpoints with their weights. Types only.

/** One resource the client subscribed to. */
export interface XdsResourceView {
  /** `listener`, `route`, `cluster` or `endpoints` (the type URL's resource kind). */
  readonly kind: 'listener' | 'route' | 'cluster' | 'endpoints' | 'other';
  readonly name: string;
  /** CSDS `ClientResourceStatus`: `REQUESTED`, `DOES_NOT_EXIST`, `ACKED`, `NACKED`, `UNKNOWN`. */
  readonly status: string;
  /** The version the client accepted ('' before any). */
  readonly version: string;
  /** When it was accepted, ISO 8601; null before any. */
  readonly lastUpdated: string | null;
  /** A NACK: why the client refused the version it names; null when it refused none. */
  readonly nack: { readonly version: string; readonly details: string } | null;
}

/** One cluster of the client's configuration. */
export interface XdsClusterView {
  readonly name: string;
  /** The Cluster's `lb_policy` (e.g. `ROUND_ROBIN`), or the first `load_balancing_policy` entry's type. */
  readonly lbPolicy: string;
  /** The EDS resource it reads its endpoints from (`eds_cluster_config.service_name`, else the cluster's name). */
  readonly edsServiceName: string;
}

/** One endpoint of a ClusterLoadAssignment, with what its weights make of it. */
export interface XdsEndpointView {
  /** The EDS resource (cluster_name) it belongs to. */
  readonly cluster: string;
  /** `IP:port`. */
  readonly address: string;
  /** `region/zone/sub_zone`. */
  readonly locality: string;
  readonly priority: number;
  /** The locality's `load_balancing_weight` (1 when unset). */
  readonly localityWeight: number;
  /** The endpoint's own `load_balancing_weight` (1 when unset). */
  readonly endpointWeight: number;
  /** `HEALTHY`, `UNKNOWN`, `DRAINING`, ... as sent. */
  readonly health: string;
  /**
   * The share of RPCs the weights give this endpoint under gRPC's default xDS policies: the
   * lowest priority only; each locality its weight over the sum (weighted_target), round_robin
   * inside (gRFC A27, A52); 0 for endpoints not used (other priorities, not HEALTHY/UNKNOWN).
   */
  readonly expectedShare: number;
}

/** What the client was told: from CSDS, read once at the end of the run before its channels close. */
export interface XdsClientView {
  /**
   * Where it came from: `csds`, a FetchClientStatus call to the CSDS service @grpc/grpc-js-xds
   * registers in-process (as grpc-js admin service; packages/grpc-js-xds/src/csds.ts), served
   * from a loopback server of the probe's own.
   */
  readonly source: 'csds';
  readonly resources: readonly XdsResourceView[];
  readonly clusters: readonly XdsClusterView[];
  readonly endpoints: readonly XdsEndpointView[];
  /** The CSDS call failed (the view is then empty): why. */
  readonly error: string | null;
}
