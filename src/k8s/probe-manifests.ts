// Kubernetes objects that probe a user's own Service from N client pods spread over nodes: the
// files the run needs (a ConfigMap), a ServiceAccount allowed to read the Service and its
// EndpointSlices, and an Indexed Job (a CronJob with a schedule, a Deployment when it runs forever).
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import type { IJobSpec } from 'kubernetes-models/batch/v1/JobSpec';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { nonEmpty, POD_SECURITY, probeContainer, renderDocuments } from './manifests.js';
import type { ServiceRef } from './service-name.js';

/** Where the ConfigMap's files are mounted, read-only, in each probe pod. */
export const PROBE_FILES_DIR = '/etc/grpclb-probe/files';

/** Names of the generated objects. */
export const PROBE_NAMES = {
  /** The Job, CronJob or Deployment, its pods' `app.kubernetes.io/name`, and the container's name. */
  workload: 'grpclb-probe',
  files: 'grpclb-probe-files',
  serviceAccount: 'grpclb-probe',
  /** The Role and RoleBinding in the target Service's namespace. */
  role: 'grpclb-probe-endpoints',
} as const;

/** Exit codes of `run` the Job treats specially (README "Exit codes"). */
const RUN_EXIT = { gateFailed: 1, usage: 2 } as const;

/** A file the probe needs, shipped in the ConfigMap and mounted at `PROBE_FILES_DIR/path`. */
export interface ProbeFile {
  /** The ConfigMap key (a ConfigMap key: letters, digits, `-`, `_`, `.`). */
  readonly key: string;
  /** Where it lands under {@link PROBE_FILES_DIR}; may hold folders (`google/type/date.proto`). */
  readonly path: string;
  /** The content; text goes in `data`, bytes (a protoset) in `binaryData`. */
  readonly content: string | Buffer;
}

/** What to generate. */
export interface ProbeManifestOptions {
  /** Namespace of the probe's own objects. */
  readonly namespace: string;
  /** Image whose entrypoint is `grpclb-probe`. */
  readonly image: string;
  /** Probe pods: the Job's completions and parallelism, or the Deployment's replicas. */
  readonly probePods: number;
  /** The `run` arguments of every pod, `run` first; they read files from {@link PROBE_FILES_DIR}. */
  readonly runArgs: readonly string[];
  /** The Service whose EndpointSlices the pods may read (its namespace gets the Role), or null for none. */
  readonly service: ServiceRef | null;
  readonly files: readonly ProbeFile[];
  /** A CronJob schedule (standard cron), or null for a Job that runs once. */
  readonly schedule: string | null;
  /** A Deployment that probes until stopped, its metrics on this port (Prometheus scrape annotations); null: a Job. */
  readonly metricsPort: number | null;
}

const LABELS = { 'app.kubernetes.io/name': PROBE_NAMES.workload, 'app.kubernetes.io/part-of': 'grpclb-probe' };

/**
 * The probe pod: the ServiceAccount's token mounted (the run reads EndpointSlices with it), the
 * files read-only, and the pods spread over nodes so they model clients on different nodes.
 * `matchLabelKeys` keeps each Job's (or ReplicaSet's) pods apart from older ones in the count.
 */
function podTemplate(options: ProbeManifestOptions, uniqueLabel: string, restartPolicy: 'Never' | 'Always'): IPodTemplateSpec {
  const container = probeContainer(PROBE_NAMES.workload, options.image, [...options.runArgs]);
  if (options.files.length > 0) container.volumeMounts = [{ name: 'files', mountPath: PROBE_FILES_DIR, readOnly: true }];
  if (options.metricsPort !== null) container.ports = [{ name: 'metrics', containerPort: options.metricsPort, protocol: 'TCP' }];
  const annotations: Record<string, string> =
    options.metricsPort === null ? {} : { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(options.metricsPort), 'prometheus.io/path': '/metrics' };
  return {
    metadata: { labels: LABELS, annotations: nonEmpty(annotations) },
    spec: {
      restartPolicy,
      serviceAccountName: PROBE_NAMES.serviceAccount,
      securityContext: POD_SECURITY,
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: LABELS }, matchLabelKeys: [uniqueLabel] },
      ],
      containers: [container],
      volumes:
        options.files.length === 0
          ? undefined
          : [{ name: 'files', configMap: { name: PROBE_NAMES.files, items: options.files.map((file) => ({ key: file.key, path: file.path })) } }],
    },
  };
}

/**
 * The Job's spec: Indexed, completions = parallelism = N. A usage error (exit 2) fails the whole
 * Job at once and a failed gate (exit 1) its index, since retrying either gives the same answer;
 * other failures (exit 3 while the Service has no ready pod) are retried per index.
 */
function jobSpec(options: ProbeManifestOptions): IJobSpec {
  return {
    completionMode: 'Indexed',
    completions: options.probePods,
    parallelism: options.probePods,
    backoffLimitPerIndex: 3,
    podFailurePolicy: {
      rules: [
        { action: 'FailJob', onExitCodes: { containerName: PROBE_NAMES.workload, operator: 'In', values: [RUN_EXIT.usage] } },
        { action: 'FailIndex', onExitCodes: { containerName: PROBE_NAMES.workload, operator: 'In', values: [RUN_EXIT.gateFailed] } },
      ],
    },
    template: podTemplate(options, 'batch.kubernetes.io/controller-uid', 'Never'),
  };
}

type ProbeObject = ConfigMap | ServiceAccount | Role | RoleBinding | Job | CronJob | Deployment;

/** Read access to the Service and its EndpointSlices, in the Service's namespace, for the probe's ServiceAccount. */
function rbac(options: ProbeManifestOptions, service: ServiceRef): [Role, RoleBinding] {
  const metadata = { name: PROBE_NAMES.role, namespace: service.namespace, labels: LABELS };
  const verbs = ['get', 'list', 'watch'];
  return [
    new Role({
      metadata,
      rules: [
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs },
        { apiGroups: [''], resources: ['services'], verbs },
      ],
    }),
    new RoleBinding({
      metadata,
      subjects: [{ kind: 'ServiceAccount', name: PROBE_NAMES.serviceAccount, namespace: options.namespace }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: PROBE_NAMES.role },
    }),
  ];
}

/** The workload: a Deployment (forever), a CronJob (schedule) or a Job. */
function workload(options: ProbeManifestOptions): Job | CronJob | Deployment {
  const metadata = { name: PROBE_NAMES.workload, namespace: options.namespace, labels: LABELS };
  if (options.metricsPort !== null) {
    return new Deployment({
      metadata,
      spec: { replicas: options.probePods, selector: { matchLabels: LABELS }, template: podTemplate(options, 'pod-template-hash', 'Always') },
    });
  }
  if (options.schedule !== null) {
    return new CronJob({
      metadata,
      spec: {
        schedule: options.schedule,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: { metadata: { labels: LABELS }, spec: jobSpec(options) },
      },
    });
  }
  return new Job({ metadata, spec: { ...jobSpec(options), ttlSecondsAfterFinished: 3600 } });
}

/** Every object, typed; `.validate()` checks each against the Kubernetes schema. */
export function buildProbeManifests(options: ProbeManifestOptions): ProbeObject[] {
  const objects: ProbeObject[] = [];
  if (options.files.length > 0) {
    const text = options.files.filter((file) => typeof file.content === 'string');
    const bytes = options.files.filter((file) => typeof file.content !== 'string');
    objects.push(
      new ConfigMap({
        metadata: { name: PROBE_NAMES.files, namespace: options.namespace, labels: LABELS },
        data: text.length === 0 ? undefined : Object.fromEntries(text.map((file) => [file.key, file.content as string])),
        binaryData: bytes.length === 0 ? undefined : Object.fromEntries(bytes.map((file) => [file.key, (file.content as Buffer).toString('base64')])),
      }),
    );
  }
  objects.push(new ServiceAccount({ metadata: { name: PROBE_NAMES.serviceAccount, namespace: options.namespace, labels: LABELS } }));
  if (options.service !== null) objects.push(...rbac(options, options.service));
  objects.push(workload(options));
  return objects;
}

/** The objects as multi-document YAML, with a header comment. */
export function renderProbeManifests(options: ProbeManifestOptions, header: string): string {
  return renderDocuments(buildProbeManifests(options), header);
}
