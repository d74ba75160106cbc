// The target's Service and its EndpointSlices through the Kubernetes project's client
// (@kubernetes/client-node): listed once before the run, watched during it, turned into plain
// facts (src/result/kubernetes.ts): pod, node and zone per address, and the changes seen.
import { existsSync } from 'node:fs';
import { ApiException, CoreV1Api, DiscoveryV1Api, KubeConfig, Watch, type V1EndpointSlice, type V1Service } from '@kubernetes/client-node';
import type { EndpointChange, KubernetesEndpoint, KubernetesFacts } from '../result/kubernetes.js';
import type { ServiceRef } from './service-name.js';

/** The service account token a pod gets (Kubernetes docs, "Accessing the API from a Pod"). */
export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
/** The namespace file next to it: the pod's own namespace. */
export const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
/** Changes kept at most; later ones are counted, not kept. */
export const MAX_ENDPOINT_CHANGES = 1000;

/** Why the API could not be read: `config` (no or bad kubeconfig), an HTTP refusal, or no answer. */
export type KubernetesFailure = 'no-cluster' | 'config' | 'unauthorized' | 'forbidden' | 'not-found' | 'unreachable' | 'timeout' | 'error';

/** The API could not be read; `failure` says how, the message names the thing at fault. */
export class KubernetesApiError extends Error {
  constructor(
    readonly failure: KubernetesFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Where the client's credentials come from. */
export interface KubeConfigSource {
  /** `--kubeconfig FILE`, else the `KUBECONFIG` environment variable; undefined: neither. */
  readonly kubeconfig?: string;
  /** The environment (KUBERNETES_SERVICE_HOST tells a pod). */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The client configuration: the kubeconfig file when one is named, else the pod's service
 * account (KUBERNETES_SERVICE_HOST and the token file). `~/.kube/config` is not read unless named.
 * @throws KubernetesApiError `no-cluster` when neither exists, `config` for a file that does not parse
 */
export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  const config = new KubeConfig();
  const file = source.kubeconfig ?? source.env.KUBECONFIG;
  if (file !== undefined && file !== '') {
    try {
      config.loadFromFile(file);
    } catch (error) {
      throw new KubernetesApiError('config', `kubeconfig ${file}: ${firstLine(error)}`);
    }
    if (config.getCurrentCluster() === null) throw new KubernetesApiError('config', `kubeconfig ${file}: no current context with a cluster`);
    return config;
  }
  if ((source.env.KUBERNETES_SERVICE_HOST ?? '') === '' || !existsSync(SERVICE_ACCOUNT_TOKEN)) {
    throw new KubernetesApiError('no-cluster', 'not in a pod with a service account token, and no --kubeconfig or KUBECONFIG');
  }
  config.loadFromCluster();
  return config;
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split('\n')[0] ?? '';
}

/** The `message` of a Status object (the API's reason), from the body as parsed or as text. */
function statusMessage(body: unknown): string {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body;
    }
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : '';
}

/** The API's refusal or the transport's failure, as a {@link KubernetesApiError}. */
function apiError(error: unknown, what: string): KubernetesApiError {
  if (error instanceof KubernetesApiError) return error;
  if (error instanceof ApiException) {
    const code = error.code as number;
    const reason = statusMessage(error.body);
    const failure: KubernetesFailure = code === 401 ? 'unauthorized' : code === 403 ? 'forbidden' : code === 404 ? 'not-found' : 'error';
    return new KubernetesApiError(failure, `${what}: HTTP ${code}${reason === '' ? '' : `: ${String(reason).split('\n')[0]}`}`);
  }
  // node-fetch's FetchError carries the socket's errno code (ECONNREFUSED, ENOTFOUND, ...).
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new KubernetesApiError('unreachable', `${what}: ${code}: ${firstLine(error)}`);
  return new KubernetesApiError('error', `${what}: ${firstLine(error)}`);
}

/** `promise`, or a `timeout` failure after `timeoutMs`. */
async function bounded<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KubernetesApiError('timeout', `${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The endpoint addresses of one slice (IPv4 and IPv6 slices; FQDN ones name no address). */
export function endpointsOfSlice(slice: V1EndpointSlice): KubernetesEndpoint[] {
  if (slice.addressType === 'FQDN') return [];
  return (slice.endpoints ?? []).flatMap((endpoint) => {
    const ready = endpoint.conditions?.ready ?? true;
    return endpoint.addresses.map((address) => ({
      address,
      ready,
      serving: endpoint.conditions?.serving ?? ready,
      terminating: endpoint.conditions?.terminating ?? false,
      pod: endpoint.targetRef?.kind === 'Pod' ? (endpoint.targetRef.name ?? null) : null,
      node: endpoint.nodeName ?? null,
      zone: endpoint.zone ?? null,
      hintZones: (endpoint.hints?.forZones ?? []).map((zone) => zone.name),
    }));
  });
}

/** What changed between two endpoint sets, by address. */
export function endpointChanges(before: readonly KubernetesEndpoint[], after: readonly KubernetesEndpoint[], atMs: number): EndpointChange[] {
  const old = new Map(before.map((endpoint) => [endpoint.address, endpoint]));
  const now = new Map(after.map((endpoint) => [endpoint.address, endpoint]));
  const changes: EndpointChange[] = [];
  for (const [address, endpoint] of now) {
    const previous = old.get(address);
    if (previous === undefined) changes.push({ atMs, address, pod: endpoint.pod, change: 'added' });
    else if (endpoint.terminating && !previous.terminating) changes.push({ atMs, address, pod: endpoint.pod, change: 'terminating' });
    else if (endpoint.ready !== previous.ready) changes.push({ atMs, address, pod: endpoint.pod, change: endpoint.ready ? 'ready' : 'not-ready' });
  }
  for (const [address, endpoint] of old) {
    if (!now.has(address)) changes.push({ atMs, address, pod: endpoint.pod, change: 'removed' });
  }
  return changes;
}

/** A Service's endpoints, listed, then kept current by a watch until {@link EndpointWatch.stop}. */
export interface EndpointWatch {
  /** The facts so far. */
  facts(): KubernetesFacts;
  /**
   * The facts of one window of a continuous run: the endpoints now and the changes since the
   * last call (or since the list), which are then let go, so a run of days keeps one window's.
   */
  takeWindow(): KubernetesFacts;
  /** Ends the watch. */
  stop(): void;
}

/** How to read the Service. */
export interface EndpointWatchOptions {
  /** Bound on the first reads (the Service, the slice list), ms: `--connect-timeout`. */
  readonly timeoutMs: number;
  /** ms since the run's measured part began, for the changes' `atMs`. */
  readonly clock: () => number;
}

/**
 * Reads the Service and lists its EndpointSlices (label `kubernetes.io/service-name`), then
 * watches the slices from the list's resourceVersion.
 * @throws KubernetesApiError naming the Service and the API's reason (HTTP status, no answer)
 */
export async function watchEndpoints(config: KubeConfig, ref: ServiceRef, options: EndpointWatchOptions): Promise<EndpointWatch> {
  const what = `Service ${ref.namespace}/${ref.name}`;
  const labelSelector = `kubernetes.io/service-name=${ref.name}`;
  let service: V1Service;
  let list: { items: V1EndpointSlice[]; metadata?: { resourceVersion?: string } };
  try {
    [service, list] = await bounded(
      Promise.all([
        config.makeApiClient(CoreV1Api).readNamespacedService({ name: ref.name, namespace: ref.namespace }),
        config.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: ref.namespace, labelSelector }),
      ]),
      options.timeoutMs,
      what,
    );
  } catch (error) {
    throw apiError(error, what);
  }
  const slices = new Map(list.items.map((slice) => [slice.metadata?.name ?? '', endpointsOfSlice(slice)]));
  const current = (): KubernetesEndpoint[] => [...slices.values()].flat();
  const changes: EndpointChange[] = [];
  let watchError: string | null = null;
  let stopped = false;
  const onEvent = (type: string, slice: V1EndpointSlice): void => {
    const before = current();
    const name = slice.metadata?.name ?? '';
    if (type === 'DELETED') slices.delete(name);
    else if (type === 'ADDED' || type === 'MODIFIED') slices.set(name, endpointsOfSlice(slice));
    else return;
    for (const change of endpointChanges(before, current(), Math.round(options.clock()))) {
      if (changes.length < MAX_ENDPOINT_CHANGES) changes.push(change);
    }
  };
  const path = `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(ref.namespace)}/endpointslices`;
  const controller = new Watch(config)
    .watch(path, { labelSelector, resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true }, onEvent, (error: unknown) => {
      if (!stopped && error !== null && error !== undefined) watchError = firstLine(error);
    })
    .catch((error: unknown) => {
      watchError = firstLine(error);
      return null;
    });
  const factsWith = (seen: readonly EndpointChange[]): KubernetesFacts => ({
    namespace: ref.namespace,
    service: ref.name,
    type: service.spec?.type ?? 'ClusterIP',
    headless: service.spec?.clusterIP === 'None',
    clusterIps: (service.spec?.clusterIPs ?? []).filter((ip) => ip !== 'None'),
    trafficDistribution: service.spec?.trafficDistribution ?? null,
    endpoints: current(),
    changes: seen,
    watchError,
  });
  return {
    facts: () => factsWith([...changes]),
    takeWindow: () => factsWith(changes.splice(0, changes.length)),
    stop: () => {
      stopped = true;
      void controller.then((abort) => abort?.abort());
    },
  };
}
