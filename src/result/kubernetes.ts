// What the Kubernetes API said about the target's Service during a run: its type, its
// endpoints (pod, node, zone per address) and how they changed. Plain data, read by analysis
// and the reporters; src/k8s/endpoints.ts gathers it.

/** One endpoint address of the Service's EndpointSlices (discovery.k8s.io/v1). */
export interface KubernetesEndpoint {
  /** The IP address (IPv4 or IPv6, no port). */
  readonly address: string;
  /** `conditions.ready` (unset counts as ready, as the API documents). */
  readonly ready: boolean;
  /** `conditions.serving`: answers although terminating; unset: as ready. */
  readonly serving: boolean;
  /** `conditions.terminating`. */
  readonly terminating: boolean;
  /** `targetRef.name` when it refers to a Pod, else null. */
  readonly pod: string | null;
  /** `nodeName`, or null. */
  readonly node: string | null;
  /** `zone`, or null. */
  readonly zone: string | null;
  /** `hints.forZones` (topology-aware routing), empty when the slice carries none. */
  readonly hintZones: readonly string[];
}

/** A change of the endpoint set while the run went on. */
export interface EndpointChange {
  /** ms since the run's measured part began (negative: before it). */
  readonly atMs: number;
  readonly address: string;
  readonly pod: string | null;
  /** What happened to the address. */
  readonly change: 'added' | 'removed' | 'ready' | 'not-ready' | 'terminating';
}

/** The Service and its endpoints, as the Kubernetes API gave them. */
export interface KubernetesFacts {
  readonly namespace: string;
  readonly service: string;
  /** `spec.type`: ClusterIP, NodePort, LoadBalancer or ExternalName. */
  readonly type: string;
  /** `spec.clusterIP` is `None`. */
  readonly headless: boolean;
  /** `spec.clusterIPs` (none for headless). */
  readonly clusterIps: readonly string[];
  /** `spec.trafficDistribution` (e.g. PreferClose), or null. */
  readonly trafficDistribution: string | null;
  /** The endpoints at the end of the run (at the start, when the watch failed). */
  readonly endpoints: readonly KubernetesEndpoint[];
  /** Changes seen by the watch, in order (at most 1000 kept). */
  readonly changes: readonly EndpointChange[];
  /** The watch ended early with this reason, or null. */
  readonly watchError: string | null;
  /**
   * Merged documents only (`grpclb-probe merge`): what the inputs disagreed on, in words (a
   * Service field, an endpoint's or a backend's pod, node or zone, inputs that did not read the
   * API); empty when they agreed. Absent in a single run's document.
   */
  readonly conflicts?: readonly string[];
}

/** Pod, node and zone of a backend, from the endpoint at its peer address. */
export interface BackendPlacement {
  readonly pod?: string | null;
  readonly node?: string | null;
  readonly zone?: string | null;
}
