// Kubernetes objects that reproduce the lab in a real cluster: Greeter pods behind a ClusterIP
// and a headless Service, and an Indexed Job of probe pods whose JSON results `merge` reads.
// Typed with kubernetes-models (Kubernetes' OpenAPI schemas); rendered as multi-document YAML.
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import { stringify } from 'yaml';

/** Service meshes whose sidecar injection the manifests can ask for. */
export const MESHES = ['none', 'istio', 'linkerd'] as const;
export type Mesh = (typeof MESHES)[number];

/** What to generate. */
export interface ManifestOptions {
  /** Namespace of every object; a Namespace object is emitted unless it is `default`. */
  readonly namespace: string;
  /** Greeter pods. */
  readonly replicas: number;
  /** Image whose entrypoint is `grpclb-probe` (see the Dockerfile). */
  readonly image: string;
  /** `serve --max-connection-age-ms`; null: connections live forever. */
  readonly maxConnectionAgeMs: number | null;
  /** `serve --drain-ms`: RPCs in flight get this long after SIGTERM. */
  readonly drainMs: number;
  readonly mesh: Mesh;
  /** Probe pods: the Job's completions and parallelism. */
  readonly probePods: number;
  /** RPCs per probe run (`run --total`). */
  readonly rpcs: number;
}

/** Defaults of `grpclb-probe manifests`. */
export const MANIFEST_DEFAULTS = {
  namespace: 'grpclb-probe',
  replicas: 3,
  maxConnectionAgeMs: null,
  drainMs: 5000,
  mesh: 'none',
  probePods: 3,
  rpcs: 300,
} as const satisfies Omit<ManifestOptions, 'image'>;

/** The Greeter's gRPC port, named `grpc` in the pods and both Services. */
export const GRPC_PORT = 50051;
/** Names of the generated objects. */
export const NAMES = { greeter: 'greeter', headless: 'greeter-headless', job: 'grpclb-probe' } as const;
/**
 * preStop sleep before SIGTERM reaches `serve`: endpoints are removed from Services
 * asynchronously, so a pod keeps getting new connections for a moment after deletion starts
 * (Kubernetes docs, "Pod Lifecycle: Termination of Pods"). `lifecycle.preStop.sleep` needs
 * Kubernetes 1.30+ (PodLifecycleSleepAction), and no shell in the image.
 */
export const PRE_STOP_SECONDS = 5;

const GREETER_LABELS = { 'app.kubernetes.io/name': NAMES.greeter, 'app.kubernetes.io/part-of': 'grpclb-probe' };

/**
 * Labels and annotations that ask a mesh for its sidecar: Istio's `sidecar.istio.io/inject`
 * pod label and `istio-injection` namespace label (Istio docs, "Installing the Sidecar"),
 * Linkerd's `linkerd.io/inject` annotation (Linkerd docs, "Automatic Proxy Injection").
 */
function meshMetadata(mesh: Mesh): { podLabels: Record<string, string>; podAnnotations: Record<string, string>; namespaceLabels: Record<string, string>; namespaceAnnotations: Record<string, string> } {
  if (mesh === 'istio') {
    return { podLabels: { 'sidecar.istio.io/inject': 'true' }, podAnnotations: {}, namespaceLabels: { 'istio-injection': 'enabled' }, namespaceAnnotations: {} };
  }
  if (mesh === 'linkerd') {
    return { podLabels: {}, podAnnotations: { 'linkerd.io/inject': 'enabled' }, namespaceLabels: {}, namespaceAnnotations: { 'linkerd.io/inject': 'enabled' } };
  }
  return { podLabels: {}, podAnnotations: {}, namespaceLabels: {}, namespaceAnnotations: {} };
}

/**
 * Job pods must end when the probe ends: a classic sidecar would keep them running, so ask
 * the mesh for a native sidecar (an init container with restartPolicy Always, Kubernetes
 * 1.29+), which stops with the pod (Istio `ENABLE_NATIVE_SIDECARS`, Linkerd
 * `config.alpha.linkerd.io/proxy-enable-native-sidecar`).
 */
function jobMeshAnnotations(mesh: Mesh): Record<string, string> {
  if (mesh === 'istio') return { 'sidecar.istio.io/nativeSidecar': 'true' };
  if (mesh === 'linkerd') return { 'config.alpha.linkerd.io/proxy-enable-native-sidecar': 'true' };
  return {};
}

/** `undefined` for an empty record, so the YAML has no `annotations: {}`. */
export function nonEmpty(record: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(record).length === 0 ? undefined : record;
}

/** The "restricted" Pod Security Standard, as a container securityContext. */
export const RESTRICTED_SECURITY: ISecurityContext = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The pod securityContext of every pod: uid and gid 1000 (the image's user), never root. */
export const POD_SECURITY = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 } as const;

/** The in-cluster name of a Service, fully qualified with a trailing dot: no search-list queries (ndots). */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local.`;
}

/** `grpclb-probe serve` arguments of the Greeter container. */
export function serveArgs(options: ManifestOptions): string[] {
  return [
    'serve',
    '--port',
    String(GRPC_PORT),
    // The pod name (also the default hostname), through the downward API env below.
    '--hostname',
    '$(POD_NAME)',
    '--drain-ms',
    String(options.drainMs),
    ...(options.maxConnectionAgeMs === null ? [] : ['--max-connection-age-ms', String(options.maxConnectionAgeMs)]),
  ];
}

/**
 * `grpclb-probe run` arguments of the probe Job's containers: one run against the ClusterIP
 * Service (channel default, pick_first: the pinned case) and one against the headless Service
 * with round_robin; JSON on one line each, no progress, so `kubectl logs` feeds `merge`.
 */
export function probeArgs(options: ManifestOptions): { clusterIp: string[]; headless: string[] } {
  const common = ['--total', String(options.rpcs), '--expect-backends', String(options.replicas), '--output', 'json', '--quiet'];
  return {
    clusterIp: ['run', '--target', `${serviceHost(NAMES.greeter, options.namespace)}:${GRPC_PORT}`, ...common],
    headless: ['run', '--target', `dns:///${serviceHost(NAMES.headless, options.namespace)}:${GRPC_PORT}`, '--lb-policy', 'round_robin', ...common],
  };
}

/** A probe container running `grpclb-probe` with `args`: small requests, the restricted security context. */
export function probeContainer(name: string, image: string, args: string[]): IContainer {
  return {
    name,
    image,
    args,
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    securityContext: RESTRICTED_SECURITY,
  };
}

/** Every object, typed; `.validate()` checks each against the Kubernetes schema. */
export function buildManifests(options: ManifestOptions): (Namespace | Deployment | Service | Job)[] {
  const { namespace } = options;
  const mesh = meshMetadata(options.mesh);
  const objects: (Namespace | Deployment | Service | Job)[] = [];
  if (namespace !== 'default') {
    objects.push(
      new Namespace({
        metadata: { name: namespace, labels: { 'app.kubernetes.io/part-of': 'grpclb-probe', ...mesh.namespaceLabels }, annotations: nonEmpty(mesh.namespaceAnnotations) },
      }),
    );
  }
  objects.push(
    new Deployment({
      metadata: { name: NAMES.greeter, namespace, labels: GREETER_LABELS },
      spec: {
        replicas: options.replicas,
        selector: { matchLabels: GREETER_LABELS },
        template: {
          metadata: { labels: { ...GREETER_LABELS, ...mesh.podLabels }, annotations: nonEmpty(mesh.podAnnotations) },
          spec: {
            // preStop, then up to --drain-ms for RPCs in flight, then a margin before SIGKILL.
            terminationGracePeriodSeconds: PRE_STOP_SECONDS + Math.ceil(options.drainMs / 1000) + 5,
            securityContext: POD_SECURITY,
            containers: [
              {
                name: NAMES.greeter,
                image: options.image,
                args: serveArgs(options),
                env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                ports: [{ name: 'grpc', containerPort: GRPC_PORT, protocol: 'TCP' }],
                // grpc.health.v1.Health/Check, which `serve` answers (NOT_SERVING while draining).
                readinessProbe: { grpc: { port: GRPC_PORT }, periodSeconds: 2, failureThreshold: 1 },
                lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } },
                resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
                securityContext: RESTRICTED_SECURITY,
              },
            ],
          },
        },
      },
    }),
  );
  for (const [name, headless] of [[NAMES.greeter, false], [NAMES.headless, true]] as const) {
    objects.push(
      new Service({
        metadata: { name, namespace, labels: GREETER_LABELS },
        spec: {
          ...(headless ? { clusterIP: 'None' } : { type: 'ClusterIP' }),
          selector: GREETER_LABELS,
          ports: [{ name: 'grpc', port: GRPC_PORT, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' }],
        },
      }),
    );
  }
  const args = probeArgs(options);
  const probeLabels = { 'app.kubernetes.io/name': NAMES.job, 'app.kubernetes.io/part-of': 'grpclb-probe' };
  objects.push(
    new Job({
      metadata: { name: NAMES.job, namespace, labels: probeLabels },
      spec: {
        completionMode: 'Indexed',
        completions: options.probePods,
        parallelism: options.probePods,
        // A probe pod that started before the Greeters were ready exits 3; retry it.
        backoffLimitPerIndex: 3,
        ttlSecondsAfterFinished: 3600,
        template: {
          metadata: { labels: { ...probeLabels, ...mesh.podLabels }, annotations: nonEmpty({ ...mesh.podAnnotations, ...jobMeshAnnotations(options.mesh) }) },
          spec: {
            restartPolicy: 'Never',
            securityContext: POD_SECURITY,
            // The ClusterIP run first, alone, then the headless one: both in the pod's log,
            // `kubectl logs -c probe-clusterip` and `-c probe-headless`.
            initContainers: [probeContainer('probe-clusterip', options.image, args.clusterIp)],
            containers: [probeContainer('probe-headless', options.image, args.headless)],
          },
        },
      },
    }),
  );
  return objects;
}

/** The objects as multi-document YAML (the `yaml` library), with a header comment. */
export function renderManifests(options: ManifestOptions, header: string): string {
  return renderDocuments(buildManifests(options), header);
}

/** Kubernetes objects as multi-document YAML (the `yaml` library), `header` as a comment on top. */
export function renderDocuments(objects: readonly { toJSON(): unknown }[], header: string): string {
  const documents = objects.map((object) => stringify(object.toJSON(), { lineWidth: 0 }));
  return `${header
    .split('\n')
    .map((line) => `# ${line}`.trimEnd())
    .join('\n')}\n${documents.map((text) => `---\n${text}`).join('')}`;
}
